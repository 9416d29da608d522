"""The one way the crawler retries: tenacity's loop, driven by a pure ``RetryPolicy``.

HTTP requests, token requests and Neo4j calls all retry through ``call_with_retries``,
so bounds, backoff and the injected clock and sleep work alike everywhere. A
``PacedRetry`` (a 429, a refused token) gets no backoff of its own: for a 429 the shared
limiter holds every worker until Retry-After has passed, so pacing lives in one place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type

from tunegraph.crawler.errors import GraphUnavailable, PacedRetry, RateLimited
from tunegraph.crawler.policy import RetryPolicy, outage_retry
from tunegraph.graphstore.errors import Neo4jUnavailable

T = TypeVar("T")
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


def _failure(state: RetryCallState) -> BaseException:
    outcome = state.outcome
    error = outcome.exception() if outcome is not None else None
    if error is None:  # tenacity consults us after failed attempts only
        raise RuntimeError("no failure to decide on")
    return error


class _Tally:
    """What one call went through so far: the input of the policy's decisions."""

    def __init__(self, policy: RetryPolicy, clock: Clock) -> None:
        self.policy = policy
        self.clock = clock
        self.failures = 0
        self.rate_limited_in_row = 0
        self.first_failure_at: float | None = None

    def record(self, state: RetryCallState) -> None:
        if self.first_failure_at is None:
            self.first_failure_at = self.clock()
        if isinstance(_failure(state), RateLimited):
            self.rate_limited_in_row += 1
        else:
            self.failures += 1
            self.rate_limited_in_row = 0

    def wait(self, state: RetryCallState) -> float:
        if isinstance(_failure(state), PacedRetry):
            return 0.0
        return self.policy.backoff(self.failures)

    def stop(self, state: RetryCallState) -> bool:
        started = self.first_failure_at if self.first_failure_at is not None else self.clock()
        return self.policy.exhausted(
            self.failures, self.rate_limited_in_row, self.clock() - started
        )


async def call_with_retries(
    action: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    clock: Clock,
    sleep: Sleep,
    retry_on: tuple[type[BaseException], ...],
    on_retry: Callable[[BaseException, float], None] = lambda _error, _delay: None,
    on_give_up: Callable[[BaseException], BaseException] = lambda error: error,
) -> T:
    """``action()``, tried again on ``retry_on`` as ``policy`` says; other errors pass at once.

    ``on_retry`` hears each failure that will be retried and the wait before the retry;
    when the policy gives up, ``on_give_up`` turns the last failure into what is raised.
    """
    tally = _Tally(policy, clock)

    def before_sleep(state: RetryCallState) -> None:
        on_retry(_failure(state), state.upcoming_sleep)

    def give_up(state: RetryCallState) -> None:
        raise on_give_up(_failure(state))

    retrying = AsyncRetrying(
        sleep=sleep,
        retry=retry_if_exception_type(retry_on),
        after=tally.record,
        wait=tally.wait,
        stop=tally.stop,
        before_sleep=before_sleep,
        retry_error_callback=give_up,
    )

    async def attempt() -> T:  # tenacity awaits only what a coroutine function returns
        return await action()

    result: T = await retrying(attempt)
    return result


class GraphRetry:
    """Neo4j calls that wait out an outage of up to ``outage_s``, then raise ``GraphUnavailable``.

    One per crawl: the writer, the dispatcher and the audio-features pass share it.
    """

    def __init__(
        self,
        outage_s: float,
        *,
        clock: Clock,
        sleep: Sleep,
        on_wait: Callable[[str], None] = lambda _msg: None,
    ) -> None:
        self.outage_s = outage_s
        self.policy = outage_retry(outage_s)
        self.clock = clock
        self.sleep = sleep
        self.on_wait = on_wait

    async def __call__(self, action: Callable[[], Awaitable[T]]) -> T:
        waiting = False

        def on_retry(error: BaseException, _delay: float) -> None:
            nonlocal waiting
            if not waiting:
                waiting = True
                self.on_wait(f"Neo4j unreachable, waiting up to {self.outage_s:g} s: {error}")

        def give_up(error: BaseException) -> BaseException:
            return GraphUnavailable(
                f"{error} (waited {self.outage_s:g} s; the crawl state is kept, "
                "run again to resume)"
            )

        return await call_with_retries(
            action,
            self.policy,
            clock=self.clock,
            sleep=self.sleep,
            retry_on=(Neo4jUnavailable,),
            on_retry=on_retry,
            on_give_up=give_up,
        )
