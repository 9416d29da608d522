"""Spotify-shaped error responses: ``{"error": {"status", "message", "reason"?}}``."""

from __future__ import annotations

import json

from aiohttp import web

JSON = "application/json"


def error_body(status: int, message: str, reason: str | None = None) -> bytes:
    error: dict[str, object] = {"status": status, "message": message}
    if reason:
        error["reason"] = reason
    return json.dumps({"error": error}).encode()


def api_error(
    status: int, message: str, reason: str | None = None, headers: dict[str, str] | None = None
) -> web.Response:
    """A Web API error answer (``/v1``)."""
    return web.Response(
        status=status, body=error_body(status, message, reason), content_type=JSON, headers=headers
    )


def oauth_error(status: int, error: str, description: str) -> web.Response:
    """An accounts-service error answer (``/api/token``), which uses the OAuth shape."""
    body = json.dumps({"error": error, "error_description": description}).encode()
    return web.Response(status=status, body=body, content_type=JSON)


def json_response(body: bytes, status: int = 200) -> web.Response:
    return web.Response(status=status, body=body, content_type=JSON)
