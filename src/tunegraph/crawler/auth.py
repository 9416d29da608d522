"""Access tokens: Client Credentials refreshed before expiry and once on a 401, or a user token.

A user token (``SPOTIFY_ACCESS_TOKEN``) lets a development-mode app read the playlists
its user owns or collaborates on; it cannot be refreshed here, so when the API refuses
it the crawl falls back to client credentials (if given) after one warning.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable

from tunegraph.crawler.errors import ApiUnreachable, AuthFailed, CredentialsMissing, TransientError
from tunegraph.crawler.policy import RetryPolicy, token_retry
from tunegraph.crawler.retrying import Clock, Sleep, call_with_retries
from tunegraph.crawler.transport import Transport


class TokenProvider:
    def __init__(
        self,
        transport: Transport,
        token_url: str,
        client_id: str | None,
        client_secret: str | None,
        user_token: str | None,
        *,
        clock: Clock,
        sleep: Sleep,
        warn: Callable[[str], None] = lambda _msg: None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.transport = transport
        self.token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._user_token = user_token
        self.clock = clock
        self.sleep = sleep
        self.warn = warn
        self.policy = policy or token_retry()
        self._token: str | None = None
        self._expires_at = 0.0
        self._margin = 60.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        if self._user_token is not None:
            return self._user_token
        if self._token is not None and self.clock() < self._expires_at - self._margin:
            return self._token
        async with self._lock:
            if self._token is None or self.clock() >= self._expires_at - self._margin:
                await self._fetch()
            assert self._token is not None
            return self._token

    def invalidate(self, token: str) -> None:
        """The API answered 401 to ``token``: fetch a new one next time."""
        if token == self._user_token:
            if not (self._client_id and self._client_secret):
                raise AuthFailed(
                    "the API refused the user access token (expired?); "
                    "get a fresh SPOTIFY_ACCESS_TOKEN or set client credentials"
                )
            self.warn("the user access token was refused (expired?); using client credentials")
            self._user_token = None
        elif token == self._token:
            self._expires_at = 0.0

    async def _fetch(self) -> None:
        if not (self._client_id and self._client_secret):
            raise CredentialsMissing(
                "no Spotify credentials: set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET "
                "(or SPOTIFY_ACCESS_TOKEN)"
            )
        started = self.clock()
        token, ttl = await call_with_retries(
            self._request_token,
            self.policy,
            clock=self.clock,
            sleep=self.sleep,
            retry_on=(TransientError, ApiUnreachable),
            on_give_up=self._give_up,
        )
        self._token = token
        self._expires_at = started + ttl
        self._margin = min(60.0, ttl * 0.2)

    async def _request_token(self) -> tuple[str, float]:
        pair = f"{self._client_id}:{self._client_secret}".encode()
        resp = await self.transport.request(
            "POST",
            self.token_url,
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {base64.b64encode(pair).decode()}"},
        )
        if resp.status >= 500:
            raise TransientError(f"accounts service answered {resp.status}")
        if resp.status in (400, 401, 403):
            raise AuthFailed(
                f"the accounts service at {self.token_url} refused the client credentials "
                f"(HTTP {resp.status}): check SPOTIFY_CLIENT_ID / SPOTIFY_CLIENT_SECRET"
            )
        try:
            body = json.loads(resp.body)
            return str(body["access_token"]), float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise TransientError("the accounts service sent an unreadable token answer") from None

    def _give_up(self, error: BaseException) -> BaseException:
        if isinstance(error, ApiUnreachable):
            return ApiUnreachable(
                f"cannot reach the accounts service at {self.token_url} (check --token-url)"
            )
        return TransientError(f"could not get an access token: {error}")
