"""Other libraries' log output, set once at the edge before any command runs.

TensorFlow's C++ log (the CUDA probe, oneDNN notes) is read from ``TF_CPP_MIN_LOG_LEVEL``
when TF loads; by default only fatal records are shown, since every real failure also
reaches Python as an exception. A user who sets the variable gets their own level.
The Neo4j driver logs retries with the whole server error, several lines long: each
record becomes one line, its first 200 characters.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager

TF_LOG_LEVEL = "3"  # FATAL only; 0 shows everything
_WIDTH = 200


class OneLineHandler(logging.Handler):
    """Writes each record as ``neo4j: <message on one line>`` to the current stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = " ".join(self.format(record).split())
            if len(text) > _WIDTH:
                text = text[: _WIDTH - 1] + "…"
            sys.stderr.write(f"neo4j: {text}\n")  # sys.stderr now, not at set-up
        except Exception:
            self.handleError(record)


def quiet_library_logs(environ: MutableMapping[str, str]) -> None:
    """Set TF's log level (unless the user chose one) and the driver's one-line records."""
    environ.setdefault("TF_CPP_MIN_LOG_LEVEL", TF_LOG_LEVEL)
    driver = logging.getLogger("neo4j")
    if not any(isinstance(h, OneLineHandler) for h in driver.handlers):
        driver.addHandler(OneLineHandler(logging.WARNING))
    driver.propagate = False
    if driver.level == logging.NOTSET:
        driver.setLevel(logging.WARNING)


@contextmanager
def driver_log_level(level: int) -> Iterator[None]:
    """The driver's log level for one command's work, the earlier one back afterwards."""
    driver = logging.getLogger("neo4j")
    before = driver.level
    driver.setLevel(level)
    try:
        yield
    finally:
        driver.setLevel(before)
