"""The pure rate/retry policy and its async shell, with an injected clock and sleep."""

from __future__ import annotations

import asyncio
import random

import pytest

from crawler.fake_time import FakeTime
from tunegraph.crawler.errors import RateLimitStop
from tunegraph.crawler.policy import Limiter, RatePolicy, RetryPolicy, parse_retry_after


def test_budget_admits_up_to_the_limit_then_waits_for_the_oldest_send():
    policy = RatePolicy(budget=3, window_s=30.0, margin_s=0.5)
    for t in (0.0, 1.0, 2.0):
        assert policy.delay(t) == 0.0
        policy.record_send(t)
    assert policy.delay(2.0) == pytest.approx(28.5)  # oldest (t=0) leaves at 30.5
    assert policy.delay(30.4) == pytest.approx(0.1)
    assert policy.delay(30.5) == 0.0
    assert policy.in_window(30.5) == 2


def test_retry_after_pauses_every_sender_until_it_has_passed():
    policy = RatePolicy(budget=100)
    assert policy.rate_limited(10.0, 5.0, wall_now=0.0) == 15.0
    assert policy.delay(10.0) == pytest.approx(5.0)
    assert policy.delay(14.0) == pytest.approx(1.0)
    # a shorter Retry-After arriving later never shortens the pause
    policy.rate_limited(11.0, 1.0, wall_now=0.0)
    assert policy.delay(14.0) == pytest.approx(1.0)
    assert policy.delay(15.0) == 0.0


def test_retry_after_beyond_the_maximum_stops_with_the_resume_time():
    policy = RatePolicy(budget=10, max_retry_after_s=120.0)
    with pytest.raises(RateLimitStop) as info:
        policy.rate_limited(0.0, 7200.0, wall_now=1_800_000_000.0, reason="QUOTA_EXCEEDED")
    assert info.value.resume_at_epoch == 1_800_007_200.0
    assert "2027-01-15 10:00:00 UTC" in str(info.value)
    assert "QUOTA_EXCEEDED" in str(info.value)
    assert policy.pause_until == 0.0  # nothing was scheduled


def test_backoff_is_exponential_jittered_and_capped():
    policy = RetryPolicy(backoff_base_s=0.5, backoff_cap_s=4.0, rng=random.Random(1))
    for attempt, ceiling in ((1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (9, 4.0)):
        delays = [policy.backoff(attempt) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert max(delays) - min(delays) > ceiling / 4  # jittered, not fixed


def test_retry_policy_gives_up_at_each_bound():
    policy = RetryPolicy(max_attempts=3, max_rate_limited=4, give_up_after_s=60.0)
    assert not policy.exhausted(2, 3, 59.0)
    assert policy.exhausted(3, 0, 0.0)
    assert policy.exhausted(0, 4, 0.0)
    assert policy.exhausted(0, 0, 60.0)


def test_parse_retry_after():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) == 1.0
    assert parse_retry_after("soon") == 1.0
    assert parse_retry_after("-4") == 0.0


def test_limiter_sleeps_exactly_what_the_policy_says():
    fake = FakeTime()
    limiter = Limiter(RatePolicy(budget=2, window_s=10.0, margin_s=0.0), fake.clock, fake.sleep,
                      lambda: 0.0)  # fmt: skip

    async def main() -> None:
        for _ in range(5):
            await limiter.acquire()

    asyncio.run(main())
    assert fake.sleeps == [pytest.approx(10.0), pytest.approx(10.0)]
    assert fake.now == pytest.approx(120.0)


def test_limiter_holds_all_waiters_during_a_pause():
    fake = FakeTime()
    limiter = Limiter(RatePolicy(budget=100), fake.clock, fake.sleep, lambda: 0.0)
    limiter.rate_limited(7.0, None)
    sent_at: list[float] = []

    async def worker() -> None:
        await limiter.acquire()
        sent_at.append(fake.now)

    async def main() -> None:
        await asyncio.gather(*(worker() for _ in range(4)))

    asyncio.run(main())
    assert len(sent_at) == 4
    assert min(sent_at) >= 107.0
