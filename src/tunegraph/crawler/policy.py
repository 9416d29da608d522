"""The pure rate and retry policy: a rolling request budget, Retry-After pauses, backoff.

It holds no clock and never sleeps: callers pass ``now`` in and get delays out, so unit
tests assert every decision without waiting. ``Limiter`` is the thin async shell that
reads an injected clock and awaits an injected sleep.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from tunegraph.crawler.errors import RateLimitStop


@dataclass
class RatePolicy:
    """One budget for every worker: ``budget`` sends per ``window_s`` (plus a safety margin)."""

    budget: int
    window_s: float = 30.0
    margin_s: float = 0.5  # the server's window starts when a request arrives, not when sent
    max_retry_after_s: float = 120.0
    backoff_base_s: float = 0.25
    backoff_cap_s: float = 8.0
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    pause_until: float = 0.0
    _sends: deque[float] = field(default_factory=deque)

    def __post_init__(self) -> None:
        if self.budget < 1:
            raise ValueError(f"rate limit must be at least 1 request per window, got {self.budget}")

    def delay(self, now: float) -> float:
        """Seconds to wait before the next send may go (0: go now)."""
        horizon = now - self.window_s - self.margin_s
        sends = self._sends
        while sends and sends[0] <= horizon:
            sends.popleft()
        wait = self.pause_until - now
        if len(sends) >= self.budget:
            wait = max(wait, sends[0] - horizon)
        return max(0.0, wait)

    def record_send(self, now: float) -> None:
        self._sends.append(now)

    def in_window(self, now: float) -> int:
        self.delay(now)
        return len(self._sends)

    def rate_limited(
        self, now: float, retry_after_s: float, wall_now: float, reason: str | None = None
    ) -> float:
        """A 429: pause every sender until Retry-After has passed; returns the pause's end.

        A Retry-After beyond ``max_retry_after_s`` raises ``RateLimitStop`` instead.
        """
        retry_after_s = max(0.0, retry_after_s)
        if retry_after_s > self.max_retry_after_s:
            raise RateLimitStop(retry_after_s, wall_now + retry_after_s, reason)
        self.pause_until = max(self.pause_until, now + retry_after_s)
        return self.pause_until

    def backoff(self, attempt: int) -> float:
        """Delay after failed attempt ``attempt`` (1-based): capped exponential, equal jitter."""
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * 2 ** max(0, attempt - 1))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)


def parse_retry_after(value: str | None, default: float = 1.0) -> float:
    """Retry-After in seconds (Spotify sends an integer); unreadable → ``default``."""
    try:
        return max(0.0, float(value)) if value is not None else default
    except ValueError:
        return default


class Limiter:
    """Async gate over a ``RatePolicy`` shared by all workers of one process."""

    def __init__(
        self,
        policy: RatePolicy,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        wall_clock: Callable[[], float],
    ) -> None:
        self.policy = policy
        self.clock = clock
        self.sleep = sleep
        self.wall_clock = wall_clock
        self.waited_s = 0.0

    async def acquire(self) -> None:
        """Wait for the budget and any Retry-After pause, then count one send."""
        while True:
            now = self.clock()
            wait = self.policy.delay(now)
            if wait <= 0:
                self.policy.record_send(now)
                return
            self.waited_s += wait
            await self.sleep(wait)

    def rate_limited(self, retry_after_s: float, reason: str | None) -> float:
        return self.policy.rate_limited(self.clock(), retry_after_s, self.wall_clock(), reason)
