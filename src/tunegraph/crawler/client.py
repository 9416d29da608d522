"""The Spotify client: limiter, auth and retries around the transport.

Every request waits for the shared budget (and any Retry-After pause), carries a
token, and is retried on transient failures with the policy's capped, jittered
backoff (``retrying``). A 429 pauses every worker and is retried without spending an
attempt, up to ``max_rate_limited`` in a row; a 401 refreshes the token once; other 4xx
raise ``ApiError`` at once. An absolute URL (a listing's ``next``) is followed only
on the API's own origin: the bearer token never goes to another host.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tunegraph.crawler.auth import TokenProvider
from tunegraph.crawler.errors import (
    ApiError,
    ApiUnreachable,
    ForeignUrl,
    MalformedResponse,
    PacedRetry,
    RateLimited,
    RateLimitStop,
    TokenRefused,
    TransientError,
)
from tunegraph.crawler.policy import Limiter, parse_retry_after, rate_policy, request_retry
from tunegraph.crawler.retrying import Clock, Sleep, call_with_retries
from tunegraph.crawler.settings import ApiSettings
from tunegraph.crawler.transport import Response, Transport

TRANSIENT_STATUS = frozenset({500, 502, 503, 504})
DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> tuple[str, str, int | None] | None:
    """Scheme, host and port of an absolute URL (default port filled in); None if not one."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:  # a port that is not a number, a broken IPv6 literal
        return None
    if not scheme or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port


def _is_absolute(url: str) -> bool:
    """Has a scheme or a host (``//host/…`` too); an unparsable URL counts as absolute."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return True
    return bool(parts.scheme or parts.netloc or url.startswith("//"))


@dataclass
class ClientStats:
    requests: int = 0
    rate_limited: int = 0
    retries: int = 0


@dataclass
class _Call:
    """One request across its tries; ``refreshed``: a 401 already cost us a token."""

    method: str
    url: str
    params: dict[str, Any] | None
    json_body: Any
    refreshed: bool = False

    @property
    def where(self) -> str:
        return self.url.split("?", 1)[0]


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
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        wall_clock: Clock = time.time,
        warn: Callable[[str], None] = lambda _msg: None,
        transport: Transport | None = None,
    ) -> None:
        self.settings = settings
        self.api_url = settings.api_url.rstrip("/")
        self.api_origin = origin(self.api_url)
        self.clock = clock
        self.sleep = sleep
        self.wall_clock = wall_clock
        self.retry_policy = request_retry(settings)
        self.limiter = Limiter(rate_policy(settings), clock, sleep, wall_clock)
        self.transport = transport or Transport(settings.timeout_s)
        self.auth = TokenProvider(
            self.transport,
            settings.token_url,
            settings.client_id,
            settings.client_secret,
            settings.access_token,
            clock=clock,
            sleep=sleep,
            warn=warn,
        )
        self.stats = ClientStats()
        self._answered = False  # has anything at the API URL answered yet?

    async def __aenter__(self) -> SpotifyClient:
        await self.transport.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.transport.__aexit__(*exc)

    def url(self, path: str) -> str:
        """``path`` under the API URL; an absolute URL only if it is on the API's origin."""
        if not _is_absolute(path):
            return f"{self.api_url}/{path.lstrip('/')}"
        if self.api_origin is None or origin(path) != self.api_origin:
            where = path.split("?", 1)[0]
            raise ForeignUrl(f"not following {where}: not on the API's origin ({self.api_url})")
        return path

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
        call = _Call(method, self.url(path), params, json_body)
        return await call_with_retries(
            lambda: self._once(call),
            self.retry_policy,
            clock=self.clock,
            sleep=self.sleep,
            retry_on=(TransientError,),
            on_retry=self._count_retry,
            on_give_up=self._give_up,
        )

    def _count_retry(self, error: BaseException, _delay: float) -> None:
        if not isinstance(error, PacedRetry):
            self.stats.retries += 1

    def _give_up(self, error: BaseException) -> BaseException:
        if isinstance(error, RateLimited):
            return RateLimitStop.too_many_in_a_row(
                self.retry_policy.max_rate_limited,
                self.wall_clock() + error.retry_after_s,
                error.reason,
            )
        return error

    async def _once(self, call: _Call) -> Any:
        await self.limiter.acquire()  # first: a Retry-After pause may outlive the token
        token = await self.auth.token()
        resp = await self._send(call, token)
        if resp.status == 429:
            self.stats.rate_limited += 1
            _, reason = _error_message(resp)
            retry_after = parse_retry_after(resp.headers.get("Retry-After"))
            self.limiter.rate_limited(retry_after, reason)
            raise RateLimited(retry_after, reason)
        if resp.status == 401 and not call.refreshed:
            call.refreshed = True
            self.auth.invalidate(token)
            raise TokenRefused(f"HTTP 401 from {call.where}")
        if resp.status in TRANSIENT_STATUS:
            raise TransientError(f"HTTP {resp.status} from {call.where}")
        if resp.status >= 400:
            message, _ = _error_message(resp)
            raise ApiError(resp.status, message or "error", call.where)
        if resp.status == 204 or not resp.body:
            return None
        try:
            return json.loads(resp.body)
        except ValueError:
            raise MalformedResponse(f"unreadable body from {call.where}") from None

    async def _send(self, call: _Call, token: str) -> Response:
        headers = {"Authorization": f"Bearer {token}"}
        if self.settings.client_tag:
            headers["X-Client-Tag"] = self.settings.client_tag
        self.stats.requests += 1
        try:
            resp = await self.transport.request(
                call.method, call.url, params=call.params, headers=headers, json_body=call.json_body
            )
        except ApiUnreachable as exc:
            if not self._answered:  # nothing listens there: say so at once
                raise ApiUnreachable(
                    f"cannot reach the Spotify API at {self.api_url} (check --api-url)"
                ) from None
            raise TransientError(str(exc)) from None
        self._answered = True
        return resp
