"""The endpoints the crawl and ``save_playlist`` use: build the request, parse the model."""

from __future__ import annotations

from collections import Counter
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from tunegraph.crawler.client import SpotifyClient
from tunegraph.crawler.errors import MalformedResponse, PagingError
from tunegraph.crawler.ids import is_spotify_id
from tunegraph.crawler.models import (
    Entry,
    ItemsPage,
    PlaylistInfo,
    SearchPage,
    parse_audio_features,
    parse_items_page,
    parse_playlist,
    parse_search_page,
)
from tunegraph.redaction import shorten

ITEMS_PAGE_LIMIT = 50  # the /items maximum
FEATURES_BATCH = 100  # the /audio-features maximum


async def get_playlist(
    client: SpotifyClient, playlist_id: str
) -> tuple[PlaylistInfo, ItemsPage | None]:
    """The playlist and, when the API embeds it (readable items), its first items page."""
    body = await client.get(f"playlists/{quote(playlist_id)}")
    info = parse_playlist(body)
    for key in ("items", "tracks"):
        embedded = body.get(key)
        if isinstance(embedded, dict) and isinstance(embedded.get("items"), list):
            return info, parse_items_page(embedded)
    return info, None


def _page_key(url: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """A fetched page's identity: the same URL with its query in another order is the same."""
    parts = urlsplit(url)
    return parts.netloc.lower(), parts.path, tuple(sorted(parse_qsl(parts.query)))


async def get_entries(
    client: SpotifyClient, playlist_id: str, cap: int, first: ItemsPage | None = None
) -> tuple[list[Entry], Counter[str]]:
    """The first ``cap`` playable tracks of the playlist (every page as needed) and skips.

    ``next`` is followed only on the API's origin (``client.url``) and only to a page not
    fetched before for this listing: a loop fails the playlist instead of spinning.
    """
    entries: list[Entry] = []
    skipped: Counter[str] = Counter()
    items_url = client.url(f"playlists/{quote(playlist_id)}/items")
    params = {"offset": 0, "limit": ITEMS_PAGE_LIMIT}
    fetched = {_page_key(f"{items_url}?{urlencode(params)}")}
    page = first or parse_items_page(await client.get(items_url, params))
    while True:
        for entry in page.entries:
            if len(entries) < cap:
                entries.append(entry)
        skipped.update(page.skipped)
        if len(entries) >= cap or not page.next:
            return entries, skipped
        url = client.url(page.next)
        if _page_key(url) in fetched:
            raise PagingError(
                f"the items of playlist {playlist_id} loop: next names a page already "
                f"fetched ({shorten(url)})"
            )
        fetched.add(_page_key(url))
        page = parse_items_page(await client.get(url))


async def search_playlists(
    client: SpotifyClient, query: str, offset: int, limit: int
) -> SearchPage:
    return parse_search_page(
        await client.get(
            "search", {"q": query, "type": "playlist", "offset": offset, "limit": limit}
        )
    )


async def audio_features(client: SpotifyClient, track_ids: list[str]) -> dict[str, dict]:
    if len(track_ids) > FEATURES_BATCH:
        raise ValueError(f"at most {FEATURES_BATCH} ids per audio-features request")
    return parse_audio_features(await client.get("audio-features", {"ids": ",".join(track_ids)}))


async def current_user_id(client: SpotifyClient) -> str:
    body = await client.get("me")
    return str(body["id"])


def _user_segment(user_id: str) -> str:
    """A user id as one path segment: quoted whole, never ``.``/``..`` (another path)."""
    if user_id.strip(".") == "":
        raise MalformedResponse(f"not a user id: {user_id!r}")
    return quote(user_id, safe="")


async def create_playlist(
    client: SpotifyClient, user_id: str, name: str, description: str, public: bool
) -> dict:
    return await client.post(
        f"users/{_user_segment(user_id)}/playlists",
        {"name": name, "description": description, "public": public},
    )


async def add_items(client: SpotifyClient, playlist_id: str, uris: list[str]) -> None:
    if not is_spotify_id(playlist_id):
        raise MalformedResponse(f"not a Spotify playlist id: {playlist_id!r}")
    await client.post(f"playlists/{quote(playlist_id)}/items", {"uris": uris})
