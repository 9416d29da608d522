"""Read endpoints over the catalogue: several tracks, artists or albums, albums, an artist's
albums, a user's playlists (the calls a crawl of artists, albums and users makes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from aiohttp import web

from tunegraph.simulator.api import base_url, by_path_id, paging_args, path_id, several
from tunegraph.simulator.auth import Token
from tunegraph.simulator.errors import api_error, json_response
from tunegraph.simulator.render import dumps, paging

if TYPE_CHECKING:
    from tunegraph.simulator.server import Simulator

ALBUM_GROUPS = ("album", "single", "appears_on", "compilation")
USER_PLAYLISTS_OFFSET_MAX = 100_000


async def get_several_tracks(
    sim: Simulator, request: web.Request, token: Token, client: str
) -> web.Response:
    return several(request, "tracks", 50, sim.renderer.track_json, sim.world.tracks)


async def get_several_artists(
    sim: Simulator, request: web.Request, token: Token, client: str
) -> web.Response:
    def render(base: str, artist_id: str) -> str:
        return dumps(sim.renderer.artist(base, artist_id))

    return several(request, "artists", 50, render, sim.world.artists)


def _album_json(sim: Simulator) -> Callable[[str, str], str]:
    return lambda base, album_id: dumps(sim.catalog.album(base, album_id))


async def get_several_albums(
    sim: Simulator, request: web.Request, token: Token, client: str
) -> web.Response:
    return several(request, "albums", 20, _album_json(sim), sim.world.albums)


async def get_album(
    sim: Simulator, request: web.Request, token: Token, client: str
) -> web.Response:
    return by_path_id(request, sim.world.albums, _album_json(sim))


async def get_album_tracks(
    sim: Simulator, request: web.Request, token: Token, client: str
) -> web.Response:
    album_id = path_id(request, sim.world.albums)
    if isinstance(album_id, web.Response):
        return album_id
    args = paging_args(request, 20, 50)
    if isinstance(args, web.Response):
        return args
    page = sim.catalog.tracks_page(base_url(request), album_id, *args)
    return json_response(dumps(page).encode())


async def get_artist_albums(
    sim: Simulator, request: web.Request, token: Token, client: str
) -> web.Response:
    artist_id = path_id(request, sim.world.artists)
    if isinstance(artist_id, web.Response):
        return artist_id
    raw = request.query.get("include_groups", "")
    groups = [g.strip() for g in raw.split(",") if g.strip()] or list(ALBUM_GROUPS)
    if any(g not in ALBUM_GROUPS for g in groups):
        return api_error(400, "Invalid include_groups")
    args = paging_args(request, 20, 50)
    if isinstance(args, web.Response):
        return args
    offset, limit = args
    catalog, base = sim.catalog, base_url(request)
    albums = [a for a in catalog.artist_albums(artist_id) if catalog.group(a, artist_id) in groups]
    items = [
        {**catalog.album_simple(base, a), "album_group": catalog.group(a, artist_id)}
        for a in albums[offset : offset + limit]
    ]
    extra = f"&include_groups={','.join(groups)}" if raw else ""
    url = f"{base}/v1/artists/{artist_id}/albums"
    return json_response(dumps(paging(url, items, len(albums), offset, limit, extra)).encode())


async def get_user_playlists(
    sim: Simulator, request: web.Request, token: Token, client: str
) -> web.Response:
    """A user's playlists: the public ones, and the private ones to that user's own token."""
    user_id = request.match_info["id"]
    if user_id not in sim.world.users:
        return api_error(404, "Resource not found")
    args = paging_args(request, 20, 50)
    if isinstance(args, web.Response):
        return args
    offset, limit = args
    if offset > USER_PLAYLISTS_OFFSET_MAX:
        return api_error(400, "Invalid offset")
    own = token.user_id == user_id
    playlists = [p for p in sim.catalog.user_playlists(user_id, sim.created) if p.public or own]
    base, renderer = base_url(request), sim.renderer
    items = [
        renderer.playlist_simple(
            base, p, len(p.track_ids) if p.id in sim.created else len(renderer.entries(p))
        )
        for p in playlists[offset : offset + limit]
    ]
    url = f"{base}/v1/users/{user_id}/playlists"
    return json_response(dumps(paging(url, items, len(playlists), offset, limit)).encode())
