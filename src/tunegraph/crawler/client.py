"""The Spotify client: limiter, auth and retries around the transport.

Every request waits for the shared budget (and any Retry-After pause), carries a
token, and is retried by tenacity on transient failures with the policy's capped,
jittered backoff. A 429 pauses every worker and is retried without spending an
attempt; a 401 refreshes the token once; other 4xx raise ``ApiError`` at once.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from tunegraph.crawler.auth import TokenProvider
from tunegraph.crawler.errors import ApiError, ApiUnreachable, MalformedResponse, TransientError
from tunegraph.crawler.policy import Limiter, RatePolicy, parse_retry_after
from tunegraph.crawler.settings import ApiSettings
from tunegraph.crawler.transport import Response, Transport

TRANSIENT_STATUS = frozenset({500, 502, 503, 504})


@dataclass
class ClientStats:
    requests: int = 0
    rate_limited: int = 0
    retries: int = 0
    errors: int = 0


def _error_message(resp: Response) -> tuple[str, str | None]:
    """Spotify's ``{"error": {"message", "reason"}}``, else the body's text.

    ``ApiError`` shortens and redacts it: a server may echo the request, token included.
    """
    try:
        error = json.loads(resp.body)["error"]
        return str(error.get("message") or ""), error.get("reason")
    except (ValueError, KeyError, TypeError, AttributeError):
        return resp.body[:1000].decode(errors="replace"), None


class SpotifyClient:
    """Use as an async context manager; ``get``/``post`` return parsed JSON."""

    def __init__(
        self,
        settings: ApiSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        wall_clock: Callable[[], float] = time.time,
        warn: Callable[[str], None] = lambda _msg: None,
        policy: RatePolicy | None = None,
    ) -> None:
        self.settings = settings
        self.api_url = settings.api_url.rstrip("/")
        self.sleep = sleep
        self.policy = policy or RatePolicy(
            budget=settings.rate_limit,
            window_s=settings.window_s,
            margin_s=min(0.5, settings.window_s * 0.02),
            max_retry_after_s=settings.max_retry_after_s,
            backoff_base_s=settings.backoff_base_s,
            backoff_cap_s=settings.backoff_cap_s,
        )
        self.limiter = Limiter(self.policy, clock, sleep, wall_clock)
        self.transport = Transport(settings.timeout_s)
        self.auth = TokenProvider(
            self.transport,
            settings.token_url,
            settings.client_id,
            settings.client_secret,
            settings.access_token,
            clock,
            warn,
        )
        self.stats = ClientStats()
        self._answered = False  # has anything at the API URL answered yet?

    async def __aenter__(self) -> SpotifyClient:
        await self.transport.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.transport.__aexit__(*exc)

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.api_url}/{path.lstrip('/')}"

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return await self.request("GET", path, params=params)

    async def post(self, path: str, body: Any) -> Any:
        return await self.request("POST", path, json_body=body)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
    ) -> Any:
        url = self.url(path)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.max_attempts),
            wait=lambda state: self.policy.backoff(state.attempt_number),
            retry=retry_if_exception_type(TransientError),
            sleep=self.sleep,
            before_sleep=self._count_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._once(method, url, params, json_body)
        raise AssertionError("unreachable")  # pragma: no cover

    def _count_retry(self, _state: object) -> None:
        self.stats.retries += 1

    async def _once(
        self, method: str, url: str, params: dict[str, Any] | None, json_body: Any
    ) -> Any:
        refreshed = False
        while True:
            token = await self.auth.token()
            await self.limiter.acquire()
            headers = {"Authorization": f"Bearer {token}"}
            if self.settings.client_tag:
                headers["X-Client-Tag"] = self.settings.client_tag
            self.stats.requests += 1
            try:
                resp = await self.transport.request(
                    method, url, params=params, headers=headers, json_body=json_body
                )
            except ApiUnreachable as exc:
                if not self._answered:  # nothing listens there: say so at once
                    raise ApiUnreachable(
                        f"cannot reach the Spotify API at {self.api_url} (check --api-url)"
                    ) from None
                raise TransientError(str(exc)) from None
            self._answered = True
            if resp.status == 429:
                self.stats.rate_limited += 1
                _, reason = _error_message(resp)
                self.limiter.rate_limited(
                    parse_retry_after(resp.headers.get("Retry-After")), reason
                )
                continue
            if resp.status == 401 and not refreshed:
                refreshed = True
                self.auth.invalidate(token)
                continue
            if resp.status in TRANSIENT_STATUS:
                raise TransientError(f"HTTP {resp.status} from {url.split('?', 1)[0]}")
            if resp.status >= 400:
                message, _ = _error_message(resp)
                self.stats.errors += 1
                raise ApiError(resp.status, message or "error", url.split("?", 1)[0])
            if resp.status == 204 or not resp.body:
                return None
            try:
                return json.loads(resp.body)
            except ValueError:
                raise MalformedResponse(f"unreadable body from {url.split('?', 1)[0]}") from None
