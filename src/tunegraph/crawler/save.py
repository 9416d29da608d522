"""Hand a recommendation back to Spotify as a playlist (for ``tunegraph recommend``)."""

from __future__ import annotations

from dataclasses import dataclass

from tunegraph.crawler import endpoints
from tunegraph.crawler.client import SpotifyClient
from tunegraph.crawler.errors import CrawlerError, CredentialsMissing
from tunegraph.crawler.ids import is_spotify_id
from tunegraph.crawler.settings import ApiSettings

MAX_URIS = 100


@dataclass(frozen=True)
class SavedPlaylist:
    id: str
    url: str
    tracks: int


async def save_playlist(
    api: ApiSettings,
    user_id: str,
    name: str,
    track_ids: list[str],
    *,
    description: str = "Recommended by tunegraph",
    public: bool = False,
) -> SavedPlaylist:
    """Create a playlist for ``user_id`` ("me": the token's user) holding ``track_ids``.

    Needs a user access token (``api.access_token``): client credentials act for no user.
    """
    if not api.access_token:
        raise CredentialsMissing(
            "saving a playlist needs a user access token: set SPOTIFY_ACCESS_TOKEN"
        )
    if not name.strip():
        raise CrawlerError("the playlist needs a name")
    bad = [t for t in track_ids if not is_spotify_id(t)]
    if bad:
        raise CrawlerError(f"not a Spotify track id: {bad[0]!r}")
    async with SpotifyClient(api) as client:
        if user_id == "me":
            user_id = await endpoints.current_user_id(client)
        created = await endpoints.create_playlist(client, user_id, name, description, public)
        playlist_id = str(created["id"])
        uris = [f"spotify:track:{t}" for t in track_ids]
        for start in range(0, len(uris), MAX_URIS):
            await endpoints.add_items(client, playlist_id, uris[start : start + MAX_URIS])
    url = (created.get("external_urls") or {}).get("spotify") or (
        f"https://open.spotify.com/playlist/{playlist_id}"
    )
    return SavedPlaylist(playlist_id, url, len(track_ids))
