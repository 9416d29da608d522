"""Named stages of a long command: when each began, how long it took, and a clean heap
between them."""

from __future__ import annotations

import ctypes
import ctypes.util
import time
from collections.abc import Callable

StageCallback = Callable[[str], None]


def return_freed_memory() -> None:
    """Hand the heap's freed pages back to the system between stages (glibc only).

    Each stage frees its working arrays, but glibc keeps freed small blocks in its arenas
    (one per worker thread): without this the next stage's peak sits on top of the last
    one's, and the process's memory only ever grows.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to hand back
        pass


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
