"""The one retry loop, as HTTP, token and Neo4j calls use it: delays and bounds.

Every sleep goes to a fake clock, so the delays are asserted exactly and nothing waits.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from crawler.fake_time import FakeTime
from tunegraph.crawler.client import SpotifyClient
from tunegraph.crawler.errors import (
    ApiError,
    ApiUnreachable,
    GraphUnavailable,
    RateLimitStop,
    TransientError,
)
from tunegraph.crawler.policy import RetryPolicy, outage_retry, request_retry, token_retry
from tunegraph.crawler.retrying import GraphRetry, call_with_retries
from tunegraph.crawler.settings import ApiSettings
from tunegraph.crawler.shutdown import StopSwitch
from tunegraph.crawler.transport import Response, Transport
from tunegraph.graphstore.errors import Neo4jUnavailable

API = "http://api.test/v1"
TOKEN_URL = "http://accounts.test/api/token"
SETTINGS = ApiSettings(
    api_url=API, token_url=TOKEN_URL, client_id="id", client_secret="secret", max_attempts=4,
    max_rate_limited=3, backoff_base_s=0.5, backoff_cap_s=2.0, max_retry_after_s=30.0,
)  # fmt: skip


def answer(status: int, body: Any = None, **headers: str) -> Response:
    return Response(status, headers, json.dumps(body).encode() if body is not None else b"")


TOKEN = answer(200, {"access_token": "tok", "expires_in": 3600})


class ScriptedTransport(Transport):
    """Answers from a script (the last answer repeats); an exception in it is raised."""

    def __init__(self, api: list[Response | Exception], token: list[Response | Exception]):
        super().__init__()
        self.scripts = {API: api, TOKEN_URL: token}
        self.sent: list[str] = []

    async def __aenter__(self) -> ScriptedTransport:
        return self

    async def __aexit__(self, *exc: object) -> None:
        pass

    async def request(self, method: str, url: str, **_: Any) -> Response:
        where = TOKEN_URL if url == TOKEN_URL else API
        self.sent.append(where)
        script = self.scripts[where]
        next_answer = script.pop(0) if len(script) > 1 else script[0]
        if isinstance(next_answer, Exception):
            raise next_answer
        return next_answer

    def count(self, where: str) -> int:
        return self.sent.count(where)


class ExpiringTokens(ScriptedTransport):
    """Tokens that live ``ttl`` seconds on the fake clock; the API answers 401 to a dead one
    before it reads its script, as Spotify does."""

    def __init__(self, api: list[Response | Exception], fake: FakeTime, ttl: float) -> None:
        super().__init__(api, [TOKEN])
        self.fake = fake
        self.ttl = ttl
        self.expires: dict[str, float] = {}

    async def request(self, method: str, url: str, **kwargs: Any) -> Response:
        if url == TOKEN_URL:
            self.sent.append(TOKEN_URL)
            token = f"tok{len(self.expires)}"
            self.expires[token] = self.fake.now + self.ttl
            return answer(200, {"access_token": token, "expires_in": self.ttl})
        token = kwargs["headers"]["Authorization"].removeprefix("Bearer ")
        if self.fake.now >= self.expires[token]:
            self.sent.append(API)
            return answer(401, {"error": {"status": 401, "message": "The access token expired"}})
        return await super().request(method, url, **kwargs)


@dataclass
class Got:
    result: Any  # the answer, or the error raised
    transport: ScriptedTransport
    fake: FakeTime
    client: SpotifyClient


def get(
    api: list[Response | Exception],
    token: list[Response | Exception] | None = None,
    *,
    token_ttl: float | None = None,
) -> Got:
    """GET one path through a client on a fake clock; with ``token_ttl``, tokens expire."""
    fake = FakeTime(1000.0)
    transport = (
        ScriptedTransport(api, token or [TOKEN])
        if token_ttl is None
        else ExpiringTokens(api, fake, token_ttl)
    )
    client = SpotifyClient(
        SETTINGS, clock=fake.clock, sleep=fake.sleep, wall_clock=fake.clock, transport=transport
    )

    async def main() -> Any:
        async with client:
            try:
                return await client.get("playlists/x")
            except Exception as exc:  # the test looks at it
                return exc

    return Got(asyncio.run(main()), transport, fake, client)


def expected_backoffs(policy_factory: Callable[[], Any], failures: int) -> list[float]:
    policy = policy_factory()  # a fresh policy draws the same jitter
    return [policy.backoff(n) for n in range(1, failures + 1)]


def test_transient_failures_back_off_as_the_policy_says_then_succeed():
    got = get([answer(503), answer(502), answer(200, {"ok": 1})])
    assert got.result == {"ok": 1}
    assert got.fake.sleeps == expected_backoffs(lambda: request_retry(SETTINGS), 2)
    assert got.client.stats.retries == 2 and got.client.stats.requests == 3


def test_transient_failures_stop_at_max_attempts():
    got = get([answer(503)])
    assert isinstance(got.result, TransientError) and "HTTP 503" in str(got.result)
    assert got.transport.count(API) == SETTINGS.max_attempts
    assert got.fake.sleeps == expected_backoffs(lambda: request_retry(SETTINGS), 3)


def test_a_429_waits_retry_after_in_the_shared_limiter_only():
    got = get([answer(429, **{"Retry-After": "3"}), answer(200, {})])
    assert got.result == {}
    assert got.fake.waits == [3.0]  # the limiter's pause, no backoff on top
    assert got.client.stats.rate_limited == 1 and got.client.stats.retries == 0
    assert got.client.limiter.policy.pause_until == pytest.approx(1003.0)


def test_429s_in_a_row_stop_with_a_clear_error():
    got = get([answer(429, {"error": {"reason": "BUSY"}}, **{"Retry-After": "2"})])
    assert isinstance(got.result, RateLimitStop)
    assert "429 to 3 tries in a row (BUSY)" in str(got.result)
    assert got.transport.count(API) == SETTINGS.max_rate_limited
    assert got.fake.waits == [2.0, 2.0]  # the third 429 ends it: no pause is waited out


def test_a_transient_failure_breaks_a_run_of_429s():
    busy = answer(429, **{"Retry-After": "1"})
    script = [busy, busy, answer(503), busy, busy, answer(200, {})]
    got = get(script)
    assert got.result == {}
    assert got.client.stats.rate_limited == 4 and got.client.stats.retries == 1


def test_a_retry_after_beyond_the_maximum_stops_at_once():
    got = get([answer(429, **{"Retry-After": "7200"})])
    assert isinstance(got.result, RateLimitStop) and "longer than --max-retry-after" in str(
        got.result
    )
    assert got.transport.count(API) == 1 and got.fake.waits == []


def test_a_401_fetches_a_new_token_once():
    got = get([answer(401), answer(200, {})])
    assert got.result == {} and got.transport.count(TOKEN_URL) == 2
    got = get([answer(401)])
    assert isinstance(got.result, ApiError) and got.result.status == 401
    assert got.transport.count(API) == 2


def test_a_token_is_taken_after_the_retry_after_pause_not_before_it():
    """Pauses longer than a token's life, twice in one request: no 401 at all."""
    busy = answer(429, **{"Retry-After": "15"})
    got = get([busy, busy, answer(200, {"ok": 1})], token_ttl=10.0)
    assert got.result == {"ok": 1}
    assert got.fake.waits == [15.0, 15.0]
    assert got.transport.count(API) == 3 and got.transport.count(TOKEN_URL) == 3


def test_token_requests_back_off_and_stop_at_their_bound():
    got = get([answer(200, {})], token=[answer(500)])
    assert isinstance(got.result, TransientError)
    per_request = token_retry().max_attempts
    # each try of the API request asks the accounts service up to its own bound
    assert got.transport.count(TOKEN_URL) == per_request * SETTINGS.max_attempts
    assert got.transport.count(API) == 0
    token_waits = expected_backoffs(token_retry, per_request - 1)
    assert got.fake.sleeps[: per_request - 1] == token_waits


def test_an_unreachable_token_url_is_named():
    got = get([answer(200, {})], token=[ApiUnreachable("refused")])
    assert isinstance(got.result, ApiUnreachable) and "--token-url" in str(got.result)
    assert got.transport.count(TOKEN_URL) == token_retry().max_attempts
    assert got.fake.sleeps == expected_backoffs(token_retry, token_retry().max_attempts - 1)


class StoppedClock(FakeTime):
    """Sleeps are recorded but take no time: only an attempt bound can end a retry loop."""

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def run_graph(
    outage_s: float, failures: int, fake: FakeTime | None = None
) -> tuple[Any, FakeTime, list[str], int]:
    fake = fake or FakeTime(1000.0)
    said: list[str] = []
    calls = 0

    async def action() -> str:
        nonlocal calls
        calls += 1
        if calls <= failures:
            raise Neo4jUnavailable("cannot reach Neo4j at bolt://x")
        return "written"

    retry = GraphRetry(outage_s, clock=fake.clock, sleep=fake.sleep, on_wait=said.append)

    async def main() -> Any:
        try:
            return await retry(action)
        except GraphUnavailable as exc:
            return exc

    return asyncio.run(main()), fake, said, calls


def test_graph_calls_wait_out_a_short_outage():
    result, fake, said, calls = run_graph(outage_s=60.0, failures=3)
    assert result == "written" and calls == 4
    assert fake.sleeps == expected_backoffs(lambda: outage_retry(60.0), 3)
    assert said == ["Neo4j unreachable, waiting up to 60 s: cannot reach Neo4j at bolt://x"]


def test_graph_calls_give_up_after_the_outage_limit():
    result, fake, said, calls = run_graph(outage_s=10.0, failures=10**6)
    assert isinstance(result, GraphUnavailable) and "waited 10 s" in str(result)
    assert sum(fake.sleeps[:-1]) < 10.0 <= sum(fake.sleeps)  # stopped at the first look past it
    assert fake.sleeps == expected_backoffs(lambda: outage_retry(10.0), calls - 1)
    assert len(said) == 1


def test_graph_calls_stop_at_the_attempt_bound_when_the_clock_stands_still():
    result, fake, _, calls = run_graph(outage_s=10.0, failures=10**6, fake=StoppedClock())
    assert isinstance(result, GraphUnavailable)
    assert calls == outage_retry(10.0).max_attempts and len(fake.sleeps) == calls - 1


def test_no_outage_allowed_means_one_try():
    result, fake, _, calls = run_graph(outage_s=0.0, failures=10**6)
    assert isinstance(result, GraphUnavailable) and calls == 1 and fake.sleeps == []


def test_the_shared_loop_stops_at_max_attempts_and_passes_other_errors_at_once():
    fake = StoppedClock()
    calls: list[str] = []

    async def failing(error: Exception) -> None:
        calls.append(type(error).__name__)
        raise error

    async def attempt(error: Exception) -> None:
        await call_with_retries(
            lambda: failing(error),
            RetryPolicy(max_attempts=3, backoff_base_s=1.0, backoff_cap_s=1.0),
            clock=fake.clock,
            sleep=fake.sleep,
            retry_on=(TransientError,),
        )

    with pytest.raises(TransientError):
        asyncio.run(attempt(TransientError("flaky")))
    assert calls == ["TransientError"] * 3 and len(fake.sleeps) == 2
    assert all(0.5 <= s <= 1.0 for s in fake.sleeps)
    with pytest.raises(ApiError):
        asyncio.run(attempt(ApiError(404, "gone")))
    assert calls[3:] == ["ApiError"] and len(fake.sleeps) == 2


async def _never_ends() -> None:
    await asyncio.Event().wait()


async def _ends() -> None:
    await asyncio.sleep(0)


def test_a_stop_request_ends_the_work_and_says_why():
    stop = StopSwitch()

    async def main() -> bool:
        asyncio.get_running_loop().call_soon(stop.request)
        return await stop.until_stopped(_never_ends)

    assert asyncio.run(main()) is False and stop.reason == "interrupt"
    assert asyncio.run(stop.until_stopped(_ends)) is False  # nothing starts after a stop


def test_a_time_limit_ends_the_work_and_work_that_ends_is_no_stop():
    stop = StopSwitch()
    assert asyncio.run(stop.until_stopped(_ends, 5.0)) is True and stop.reason is None
    assert asyncio.run(stop.until_stopped(_never_ends, 0.01)) is False
    assert stop.reason == "time-limit"
