"""Named stages of a long command: when each began, how long it took, and a clean heap
between them."""

from __future__ import annotations

import contextlib
import ctypes
import time
from collections.abc import Callable

StageCallback = Callable[[str], None]


def return_freed_memory() -> None:
    """Hand the heap's freed pages back to the system between stages (glibc only).

    Each stage frees its working arrays, but glibc keeps freed small blocks in its arenas
    (one per worker thread): without this the next stage's peak sits on top of the last
    one's, and the process's memory only ever grows.
    """
    # not glibc (macOS, musl): no malloc_trim, and nothing to hand back
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)  # the C library this Python is linked with


class StageTimer:
    """Passes stage names on to the caller and keeps how long each one took."""

    def __init__(self, on_stage: StageCallback | None) -> None:
        self.on_stage = on_stage
        self.seconds: dict[str, float] = {}
        self._current: tuple[str, float] | None = None

    def __call__(self, name: str) -> None:
        self.finish()
        return_freed_memory()
        self._current = (name, time.perf_counter())
        if self.on_stage:
            self.on_stage(name)

    def finish(self) -> dict[str, float]:
        if self._current:
            name, began = self._current
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - began
            self._current = None
        return self.seconds
