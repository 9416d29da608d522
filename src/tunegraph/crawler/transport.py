"""One aiohttp session and one request at a time: timeouts and network errors, no sleeping.

Everything a network can do wrong becomes ``TransientError`` (worth retrying) or
``ApiUnreachable`` (nothing listens there); status codes are left to the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp

from tunegraph.crawler.errors import ApiUnreachable, TransientError


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


class Transport:
    """Owns the session; use as an async context manager."""

    def __init__(self, timeout_s: float = 10.0, connections: int = 100) -> None:
        self.timeout_s = timeout_s
        self.connections = connections
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Transport:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.timeout_s),
            connector=aiohttp.TCPConnector(limit=self.connections),
            raise_for_status=False,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        data: dict[str, str] | None = None,
        json_body: Any = None,
    ) -> Response:
        if self._session is None:
            raise RuntimeError("transport is not open")
        where = url.split("?", 1)[0]
        try:
            async with self._session.request(
                method, url, params=params, headers=headers, data=data, json=json_body
            ) as resp:
                body = await resp.read()
                return Response(resp.status, dict(resp.headers), body)
        except aiohttp.ClientConnectorError as exc:
            why = exc.os_error or "connection failed"
            raise ApiUnreachable(f"cannot reach {where}: {why}") from None
        except TimeoutError:
            why = f"timed out after {self.timeout_s:g} s"
            raise TransientError(f"{why}: {method} {where}") from None
        except aiohttp.ClientError as exc:
            raise TransientError(f"{type(exc).__name__} on {method} {where}") from None
