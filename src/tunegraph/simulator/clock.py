"""Injectable time: the rate window, token expiry and quota days read a clock, never ``time``.

Tests hand the simulator a ``ManualClock`` and advance it, so expiry and rate
windows are asserted without waiting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

Clock = Callable[[], float]


def system_clock() -> float:
    """Monotonic seconds: immune to wall-clock jumps."""
    return time.monotonic()


class ManualClock:
    """A clock that moves only when told to; safe to advance from another thread."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds
