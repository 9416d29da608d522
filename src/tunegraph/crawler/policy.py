"""The pure rate and retry policies: a rolling request budget, Retry-After pauses, backoff.

They hold no clock and never sleep: callers pass ``now`` (or counts) in and get delays and
decisions out, so unit tests assert every decision without waiting. ``Limiter`` is the
thin async shell that reads an injected clock and awaits an injected sleep; ``retrying``
turns a ``RetryPolicy`` into tenacity's loop.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from tunegraph.crawler.errors import RateLimitStop
from tunegraph.crawler.settings import ApiSettings

TOKEN_ATTEMPTS = 3  # the accounts service: a few quick tries, then the request's own retries


@dataclass
class RatePolicy:
    """One budget for every worker: ``budget`` sends per ``window_s`` (plus a safety margin)."""

    budget: int
    window_s: float = 30.0
    margin_s: float = 0.5  # the server's window starts when a request arrives, not when sent
    max_retry_after_s: float = 120.0
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
            raise RateLimitStop.wait_too_long(retry_after_s, wall_now + retry_after_s, reason)
        self.pause_until = max(self.pause_until, now + retry_after_s)
        return self.pause_until


@dataclass(frozen=True)
class RetryPolicy:
    """When one operation is tried again, after how long, and when it gives up.

    Failures spend ``max_attempts``; 429s do not (the limiter waits them out) but give up
    after ``max_rate_limited`` in a row; ``give_up_after_s`` counts from the first failure.
    """

    max_attempts: int = 8
    max_rate_limited: int = 10
    give_up_after_s: float = math.inf
    backoff_base_s: float = 0.25
    backoff_cap_s: float = 8.0
    rng: random.Random = field(default_factory=lambda: random.Random(0), compare=False)

    def backoff(self, failures: int) -> float:
        """Delay after failure number ``failures`` (1-based): capped exponential, equal jitter."""
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * 2 ** max(0, failures - 1))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def exhausted(self, failures: int, rate_limited_in_row: int, failing_for_s: float) -> bool:
        return (
            failures >= self.max_attempts
            or rate_limited_in_row >= self.max_rate_limited
            or failing_for_s >= self.give_up_after_s
        )


def rate_policy(api: ApiSettings) -> RatePolicy:
    return RatePolicy(
        budget=api.rate_limit,
        window_s=api.window_s,
        margin_s=min(0.5, api.window_s * 0.02),
        max_retry_after_s=api.max_retry_after_s,
    )


def request_retry(api: ApiSettings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=api.max_attempts,
        max_rate_limited=api.max_rate_limited,
        backoff_base_s=api.backoff_base_s,
        backoff_cap_s=api.backoff_cap_s,
    )


def token_retry() -> RetryPolicy:
    return RetryPolicy(max_attempts=TOKEN_ATTEMPTS, backoff_base_s=0.4, backoff_cap_s=0.8)


def outage_retry(outage_s: float) -> RetryPolicy:
    """Neo4j calls: wait out an outage of up to ``outage_s``.

    The deadline binds first: once the backoff reaches its cap every wait is at least
    1 s, so the attempt bound is only a backstop.
    """
    return RetryPolicy(
        max_attempts=8 + math.ceil(outage_s),
        give_up_after_s=outage_s,
        backoff_base_s=0.2,
        backoff_cap_s=2.0,
    )


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

    async def acquire(self) -> None:
        """Wait for the budget and any Retry-After pause, then count one send."""
        while True:
            now = self.clock()
            wait = self.policy.delay(now)
            if wait <= 0:
                self.policy.record_send(now)
                return
            await self.sleep(wait)

    def rate_limited(self, retry_after_s: float, reason: str | None) -> float:
        return self.policy.rate_limited(self.clock(), retry_after_s, self.wall_clock(), reason)
