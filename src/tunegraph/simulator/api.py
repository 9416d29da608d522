"""Read endpoints of the Web API: playlists and their items, search, artists, tracks, features.

Each handler gets the shared ``Simulator``, the request, the checked token and
the client key, after the guard in ``server`` has applied faults and limits.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from typing import TYPE_CHECKING
from urllib.parse import quote

from aiohttp import web

from tunegraph.simulator.auth import Token
from tunegraph.simulator.entities import Extra, normalize
from tunegraph.simulator.errors import api_error, json_response
from tunegraph.simulator.ids import is_editorial, is_spotify_id
from tunegraph.simulator.render import dumps, paging_json

if TYPE_CHECKING:
    from tunegraph.simulator.server import Simulator

SEARCH_OFFSET_MAX = 1000
SEARCH_TYPES = ("album", "artist", "playlist", "track", "show", "episode", "audiobook")


def base_url(request: web.Request) -> str:
    return f"http://{request.host}"


def paging_args(request: web.Request, default: int, maximum: int) -> tuple[int, int] | web.Response:
    """(offset, limit) from the query, or Spotify's 400 for values out of range."""
    query = request.query
    try:
        limit = int(query.get("limit", default))
    except ValueError:
        return api_error(400, "Invalid limit")
    try:
        offset = int(query.get("offset", 0))
    except ValueError:
        return api_error(400, "Invalid offset")
    if not 1 <= limit <= maximum:
        return api_error(400, "Invalid limit")
    if offset < 0:
        return api_error(400, "Invalid offset")
    return offset, limit


async def get_playlist(
    sim: Simulator, request: web.Request, token: Token, client: str
) -> web.Response:
    playlist = sim.playlist(request.match_info["id"], token)
    if isinstance(playlist, web.Response):
        return playlist
    base = base_url(request)
    readable = sim.can_read_items(playlist, token)
    created = playlist.id in sim.created
    key = ("playlist", base, playlist.id, readable)
    if readable:
        sim.stats.embedded_served(playlist.id)
    cached = None if created else sim.cached(key)
    if cached is not None:
        return json_response(cached)
    renderer = sim.renderer
    entries: list[str | Extra] = [*playlist.track_ids] if created else renderer.entries(playlist)
    rendered = renderer.playlist_full(base, playlist, entries, readable, cacheable=not created)
    if not created:
        sim.remember(key, rendered)
    return json_response(rendered)


async def _items(
    sim: Simulator, request: web.Request, token: Token, client: str, field: str
) -> web.Response:
    playlist = sim.playlist(request.match_info["id"], token)
    if isinstance(playlist, web.Response):
        return playlist
    maximum, default = (50, 20) if field == "item" else (100, 100)
    args = paging_args(request, default, maximum)
    if isinstance(args, web.Response):
        return args
    if not sim.can_read_items(playlist, token):
        return api_error(403, "Forbidden")
    offset, limit = args
    created = playlist.id in sim.created
    entries: list[str | Extra]
    entries = [*playlist.track_ids] if created else sim.renderer.entries(playlist)
    body = sim.renderer.items_page(
        base_url(request), playlist, entries, field, offset, limit, not created
    )
    sim.stats.items_served(playlist.id, client, offset)
    return json_response(body)


async def get_items(
    sim: Simulator, request: web.Request, token: Token, client: str
) -> web.Response:
    return await _items(sim, request, token, client, "item")


async def get_legacy_tracks(
    sim: Simulator, request: web.Request, token: Token, client: str
) -> web.Response:
    return await _items(sim, request, token, client, "track")


async def search(sim: Simulator, request: web.Request, token: Token, client: str) -> web.Response:
    query = request.query
    q = (query.get("q") or query.get("query") or "").strip()  # `next` links carry `query=`
    if not q:
        return api_error(400, "No search query")
    types = [t.strip() for t in query.get("type", "").split(",") if t.strip()]
    if not types or any(t not in SEARCH_TYPES for t in types):
        return api_error(400, "Bad search type field")
    default, maximum = (20, 50) if sim.config.extended else (5, 10)
    args = paging_args(request, default, maximum)
    if isinstance(args, web.Response):
        return args
    offset, limit = args
    if offset > SEARCH_OFFSET_MAX:
        return api_error(400, "Invalid offset")
    base = base_url(request)
    key = ("search", base, q, tuple(types), offset, limit)
    cached = sim.cached(key)
    if cached is not None:
        return json_response(cached)
    extra = f"&query={quote(q)}&type={','.join(types)}"
    url = f"{base}/v1/search"
    parts = []
    for kind in types:
        if kind == "playlist":
            page = _playlist_results(sim, base, q, offset, limit, url, extra)
        else:
            page = paging_json(url, "[]", 0, offset, limit, extra)
        parts.append(f'"{kind}s":{page}')
    return json_response(sim.remember(key, ("{" + ",".join(parts) + "}").encode()))


def _playlist_results(
    sim: Simulator, base: str, q: str, offset: int, limit: int, url: str, extra: str
) -> str:
    results = sim.search_results(normalize(q))
    renderer, world = sim.renderer, sim.world
    items = []
    for playlist_id in results[offset : offset + limit]:
        if playlist_id is None:
            items.append("null")
        elif is_editorial(playlist_id):
            items.append(dumps(renderer.editorial_simple(base, playlist_id, q)))
        else:
            items.append(renderer.playlist_simple_json(base, world.playlists[playlist_id]))
    items_json = "[" + ",".join(items) + "]"
    return paging_json(url, items_json, len(results), offset, limit, extra, SEARCH_OFFSET_MAX)


def path_id(request: web.Request, known: Container[str]) -> str | web.Response:
    """The ``{id}`` of the path if it is a valid id the world knows, else Spotify's error."""
    value = request.match_info["id"]
    if not is_spotify_id(value):
        return api_error(400, "Invalid base62 id")
    if value not in known:
        return api_error(404, "Resource not found")
    return value


def by_path_id(
    request: web.Request, known: Container[str], render: Callable[[str, str], str]
) -> web.Response:
    """The object at ``.../{id}``: ``render(base, id)``'s JSON, or Spotify's 400 or 404."""
    found = path_id(request, known)
    if isinstance(found, web.Response):
        return found
    return json_response(render(base_url(request), found).encode())


async def get_artist(
    sim: Simulator, request: web.Request, token: Token, client: str
) -> web.Response:
    return by_path_id(request, sim.world.artists, lambda b, i: dumps(sim.renderer.artist(b, i)))


async def get_track(
    sim: Simulator, request: web.Request, token: Token, client: str
) -> web.Response:
    return by_path_id(request, sim.world.tracks, sim.renderer.track_json)


def query_ids(request: web.Request, maximum: int) -> list[str] | web.Response:
    """The ``ids`` query parameter, or Spotify's 400 for none, too many or a bad id."""
    ids = [i for i in request.query.get("ids", "").split(",") if i]
    if not ids:
        return api_error(400, "invalid request")
    if len(ids) > maximum:
        return api_error(400, "Too many ids requested")
    if not all(is_spotify_id(i) for i in ids):
        return api_error(400, "Invalid base62 id")
    return ids


def several(
    request: web.Request,
    key: str,
    maximum: int,
    render: Callable[[str, str], str | None],
    known: Container[str] | None = None,
) -> web.Response:
    """``{key: [...]}`` for the ``ids`` asked: ``render(base, id)``'s JSON, or null (for
    an id not in ``known``, or when ``render`` has nothing)."""
    ids = query_ids(request, maximum)
    if isinstance(ids, web.Response):
        return ids
    base = base_url(request)
    rendered = [render(base, i) if known is None or i in known else None for i in ids]
    parts = [text or "null" for text in rendered]
    return json_response(f'{{"{key}":[{",".join(parts)}]}}'.encode())


async def get_audio_features(
    sim: Simulator, request: web.Request, token: Token, client: str
) -> web.Response:
    if not sim.config.extended:
        return api_error(403, "Forbidden")

    def render(base: str, track_id: str) -> str | None:
        features = sim.renderer.audio_features(base, track_id)
        return None if features is None else dumps(features)

    return several(request, "audio_features", 100, render)


async def get_audio_feature(
    sim: Simulator, request: web.Request, token: Token, client: str
) -> web.Response:
    if not sim.config.extended:
        return api_error(403, "Forbidden")
    track_id = request.match_info["id"]
    if not is_spotify_id(track_id):
        return api_error(400, "Invalid base62 id")
    features = sim.renderer.audio_features(base_url(request), track_id)
    if features is None:
        return api_error(404, "Resource not found")
    return json_response(dumps(features).encode())


async def get_user(sim: Simulator, request: web.Request, token: Token, client: str) -> web.Response:
    user_id = request.match_info["id"]
    if user_id not in sim.world.users:
        return api_error(404, "Resource not found")
    body = sim.renderer.user(base_url(request), user_id)
    body["followers"] = {"href": None, "total": 0}
    body["images"] = []
    return json_response(dumps(body).encode())


async def get_me(sim: Simulator, request: web.Request, token: Token, client: str) -> web.Response:
    if token.user_id is None:
        return api_error(401, "This request requires user authentication.")
    body = sim.renderer.user(base_url(request), token.user_id)
    body["images"] = []
    return json_response(dumps(body).encode())
