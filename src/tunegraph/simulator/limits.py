"""Spotify's rate limits: a rolling window per app and an optional daily quota.

The window counts admitted requests; a request over the limit answers 429 with
``Retry-After`` = seconds until the oldest counted request leaves the window.
The daily quota answers 429 with reason ``QUOTA_EXCEEDED`` and a Retry-After
that runs to the end of the simulator's day (which can be hours).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

DAY_S = 86_400.0


@dataclass(frozen=True)
class Refusal:
    retry_after: int
    message: str
    reason: str | None = None


class RateLimiter:
    """Decides, per app, whether a request is admitted now."""

    def __init__(
        self, limit: int | None, window_s: float, daily_quota: int | None, start: float
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.daily_quota = daily_quota
        self.start = start
        self._windows: dict[str, deque[float]] = {}
        self._days: dict[str, tuple[int, int]] = {}

    def admit(self, app: str, now: float) -> Refusal | None:
        """None when admitted (and counted), else the 429 to answer."""
        if self.daily_quota is not None:
            day = int((now - self.start) // DAY_S)
            current, used = self._days.get(app, (day, 0))
            if current != day:
                used = 0
            if used >= self.daily_quota:
                until = self.start + (day + 1) * DAY_S
                return Refusal(
                    max(1, math.ceil(until - now)), "Daily quota exceeded", "QUOTA_EXCEEDED"
                )
        if self.limit is not None:
            window = self._windows.setdefault(app, deque())
            horizon = now - self.window_s
            while window and window[0] <= horizon:
                window.popleft()
            if len(window) >= self.limit:
                wait = window[0] + self.window_s - now
                return Refusal(max(1, math.ceil(wait)), "API rate limit exceeded")
            window.append(now)
        if self.daily_quota is not None:
            self._days[app] = (day, used + 1)
        return None


class WindowPeak:
    """The most requests seen in any rolling window (windows ending at a request)."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._times: deque[float] = deque()
        self.peak = 0

    def add(self, now: float) -> None:
        times = self._times
        times.append(now)
        horizon = now - self.window_s
        while times[0] <= horizon:
            times.popleft()
        if len(times) > self.peak:
            self.peak = len(times)
