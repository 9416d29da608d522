"""Write endpoints a recommender needs to hand its result back as a playlist.

Only user tokens may write, and only to their own user. Playlists created here
live beside the world (``Simulator.created``), so the world and its checksum
never change; world playlists stay read-only.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tunegraph.simulator.auth import Token
from tunegraph.simulator.entities import Playlist
from tunegraph.simulator.errors import api_error, json_response
from tunegraph.simulator.ids import hashed_id
from tunegraph.simulator.render import dumps

if TYPE_CHECKING:
    from tunegraph.simulator.server import Simulator

MAX_URIS = 100


WriteHandler = Callable[["Simulator", web.Request, Token, str], Awaitable[web.Response]]


def _user_token_only(handler: WriteHandler) -> WriteHandler:
    """Spotify's 401 for a token that acts for no user: only users write."""

    @functools.wraps(handler)
    async def checked(
        sim: Simulator, request: web.Request, token: Token, client: str
    ) -> web.Response:
        if token.user_id is None:
            return api_error(401, "This request requires user authentication.")
        return await handler(sim, request, token, client)

    return checked


async def _json_body(request: web.Request) -> dict[str, Any] | None:
    if not request.can_read_body:
        return {}
    try:
        body = json.loads(await request.read() or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


@_user_token_only
async def create_playlist(
    sim: Simulator, request: web.Request, token: Token, client: str
) -> web.Response:
    user_id = request.match_info["id"]
    if token.user_id != user_id:
        return api_error(403, "You cannot create a playlist for another user")
    body = await _json_body(request)
    if body is None:
        return api_error(400, "Error parsing JSON.")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        return api_error(400, "Missing required field: name")
    playlist_id = sim.new_playlist_id()
    playlist = Playlist(
        id=playlist_id,
        name=name,
        description=str(body.get("description") or ""),
        owner_id=user_id,
        track_ids=(),
        followers=0,
        snapshot_id=hashed_id("snapshot", playlist_id, length=32),
        public=bool(body.get("public", True)),
        collaborative=bool(body.get("collaborative", False)),
        created_at=1_700_000_000,
    )
    sim.created[playlist_id] = playlist
    out = sim.renderer.playlist_full(f"http://{request.host}", playlist, [], True, False)
    return json_response(out, status=201)


@_user_token_only
async def add_items(
    sim: Simulator, request: web.Request, token: Token, client: str
) -> web.Response:
    playlist_id = request.match_info["id"]
    playlist = sim.created.get(playlist_id)
    if playlist is None:
        found = sim.playlist(playlist_id, token)
        if isinstance(found, web.Response):
            return found
        return api_error(
            403, "This simulator's world playlists are read-only; create a playlist first"
        )
    if playlist.owner_id != token.user_id:
        return api_error(403, "You cannot add items to a playlist you do not own")
    body = await _json_body(request)
    if body is None:
        return api_error(400, "Error parsing JSON.")
    uris = body.get("uris")
    if uris is None and "uris" in request.query:
        uris = [u for u in request.query["uris"].split(",") if u]
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) for u in uris):
        return api_error(400, "Missing required field: uris")
    if len(uris) > MAX_URIS:
        return api_error(400, f"You can add a maximum of {MAX_URIS} tracks per request.")
    track_ids = []
    for uri in uris:
        parts = uri.split(":")
        if len(parts) != 3 or parts[:2] != ["spotify", "track"] or parts[2] not in sim.world.tracks:
            return api_error(400, f"Invalid track uri: {uri}")
        track_ids.append(parts[2])
    position = body.get("position", len(playlist.track_ids))
    if not isinstance(position, int) or not 0 <= position <= len(playlist.track_ids):
        return api_error(400, "Invalid position")
    new_ids = playlist.track_ids[:position] + tuple(track_ids) + playlist.track_ids[position:]
    snapshot = hashed_id("snapshot", playlist_id, *new_ids, length=32)
    sim.created[playlist_id] = dataclasses.replace(
        playlist, track_ids=new_ids, snapshot_id=snapshot
    )
    return json_response(dumps({"snapshot_id": snapshot}).encode(), status=201)
