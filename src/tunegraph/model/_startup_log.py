"""TensorFlow's start-up banner, dropped while its libraries load (TF-free, to be tested).

TF's shared libraries log INFO records while they load (oneDNN is on, no CUDA driver,
the CPU instructions it was not built for), written by C++ straight to file descriptor
2 before ``TF_CPP_MIN_LOG_LEVEL`` or anything else can apply. The import runs with fd 2
captured; only those INFO/WARNING records and absl's "before InitializeLog" notice are
dropped, and everything else written meanwhile - an E or F record, a loader's message -
is passed on to stderr.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator

# An absl/TF C++ log record: severity letter, MMDD, time, thread, file:line]
_RECORD = re.compile(r"^[IWEF]\d{4} [\d:.]+ +\d+ [^ \]]+:\d+\] ")
_BANNER = "WARNING: All log messages before absl::InitializeLog() is called"


def drop_startup_info(text: str) -> str:
    """``text`` without its I/W log records (a record runs up to the next record)."""
    kept: list[str] = []
    dropping = False
    for line in text.splitlines(keepends=True):
        if _RECORD.match(line):
            dropping = line[0] in "IW"
        elif line.startswith(_BANNER):
            dropping = True
            continue
        if not dropping:
            kept.append(line)
    return "".join(kept)


@contextlib.contextmanager
def startup_banner_dropped() -> Iterator[None]:
    """Capture file descriptor 2 while TF loads; pass on all but its INFO/WARNING records."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no usable stderr: nothing to keep clean
        yield
        return
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            rest = drop_startup_info(capture.read().decode("utf-8", "replace"))
            if rest:
                sys.stderr.write(rest)
                sys.stderr.flush()
