"""The endpoints the crawl and ``save_playlist`` use: build the request, parse the model."""

from __future__ import annotations

from collections import Counter
from urllib.parse import quote

from tunegraph.crawler.client import SpotifyClient
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


async def get_entries(
    client: SpotifyClient, playlist_id: str, cap: int, first: ItemsPage | None = None
) -> tuple[list[Entry], Counter[str]]:
    """The first ``cap`` playable tracks of the playlist (every page as needed) and skips."""
    entries: list[Entry] = []
    skipped: Counter[str] = Counter()
    page = first
    if page is None:
        page = parse_items_page(
            await client.get(
                f"playlists/{quote(playlist_id)}/items", {"offset": 0, "limit": ITEMS_PAGE_LIMIT}
            )
        )
    while True:
        for entry in page.entries:
            if len(entries) < cap:
                entries.append(entry)
        skipped.update(page.skipped)
        if len(entries) >= cap or not page.next:
            return entries, skipped
        page = parse_items_page(await client.get(page.next))


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


async def create_playlist(
    client: SpotifyClient, user_id: str, name: str, description: str, public: bool
) -> dict:
    return await client.post(
        f"users/{quote(user_id)}/playlists",
        {"name": name, "description": description, "public": public},
    )


async def add_items(client: SpotifyClient, playlist_id: str, uris: list[str]) -> None:
    await client.post(f"playlists/{quote(playlist_id)}/items", {"uris": uris})
