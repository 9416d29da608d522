"""The accounts endpoint (``POST /api/token``) and the simulator's own ``/_simulator/*``.

``/_simulator`` endpoints are outside Spotify's API: no token, no faults, no
limits; tests and benchmarks read what the simulator saw and what it serves.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from tunegraph.simulator.auth import TEST_USER_GRANT, basic_credentials
from tunegraph.simulator.errors import json_response, oauth_error
from tunegraph.simulator.render import dumps

if TYPE_CHECKING:
    from tunegraph.simulator.server import Simulator


def make_token_handler(sim: Simulator) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Client credentials (Basic auth or form fields) and the test-only user grant."""

    async def token(request: web.Request) -> web.Response:
        response = await _token(sim, request)
        sim.stats.count("POST /api/token", response.status)
        return response

    return token


async def _token(sim: Simulator, request: web.Request) -> web.Response:
    form = await request.post()
    client_id: object
    secret: object
    client_id, secret = basic_credentials(request.headers.get("Authorization"))
    if client_id is None:
        client_id, secret = form.get("client_id"), form.get("client_secret")
    if not isinstance(client_id, str) or not isinstance(secret, str):
        return oauth_error(400, "invalid_client", "Invalid client")
    if not sim.tokens.client_matches(client_id, secret):
        return oauth_error(400, "invalid_client", "Invalid client secret")
    grant = form.get("grant_type")
    user_id: str | None = None
    if grant == TEST_USER_GRANT:
        asked = form.get("user_id")
        if not isinstance(asked, str) or asked not in sim.world.users:
            return oauth_error(400, "invalid_request", "Unknown user_id for the test_user grant")
        user_id = asked
    elif grant != "client_credentials":
        return oauth_error(
            400,
            "unsupported_grant_type",
            f"grant_type must be client_credentials or {TEST_USER_GRANT}",
        )
    issued = sim.tokens.issue(user_id)
    body = {
        "access_token": issued.value,
        "token_type": "Bearer",
        "expires_in": math.ceil(sim.config.token_ttl),
    }
    if user_id is not None:
        body["scope"] = "playlist-modify-public playlist-modify-private playlist-read-private"
    return json_response(dumps(body).encode())


def add_admin_routes(app: web.Application, sim: Simulator) -> None:
    async def stats(request: web.Request) -> web.Response:
        snapshot = sim.stats.snapshot()
        snapshot["tokens_issued"] = sim.tokens.issued
        return json_response(dumps(snapshot).encode())

    async def reset_stats(request: web.Request) -> web.Response:
        sim.stats.reset()
        return web.Response(status=204)

    async def seeds(request: web.Request) -> web.Response:
        try:
            n = max(1, min(1000, int(request.query.get("n", 5))))
        except ValueError:
            n = 5
        ids = sim.world.seed_playlist_ids(n)
        return json_response(dumps({"playlist_ids": ids}).encode())

    async def world(request: web.Request) -> web.Response:
        w = sim.world
        body = {
            "source": w.source,
            "seed": w.seed,
            "sizes": w.sizes(),
            "checksum": w.checksum(),
            "mode": sim.config.mode,
            "mess": sorted(sim.config.mess),
            "editorial_ids": len(w.editorial_ids),
        }
        return json_response(dumps(body).encode())

    app.router.add_get("/_simulator/stats", stats)
    app.router.add_delete("/_simulator/stats", reset_stats)
    app.router.add_get("/_simulator/seeds", seeds)
    app.router.add_get("/_simulator/world", world)
