"""Spotify ids: seeds (ids, spotify: URIs, open.spotify.com URLs) checked up front, and
the same rule for every id the network hands the crawl."""

from __future__ import annotations

from tunegraph.crawler.errors import InvalidSeed
from tunegraph.ids import IdSyntaxError, is_spotify_id, spotify_id_of

__all__ = ["is_spotify_id", "parse_playlist_ref"]


def parse_playlist_ref(text: str) -> str:
    """The playlist id in ``text`` (id, ``spotify:playlist:ID`` or an open.spotify.com URL)."""
    try:
        found = spotify_id_of(text, "playlist")
    except IdSyntaxError:
        found = ""
    if is_spotify_id(found):
        return found
    raise InvalidSeed(
        f"invalid seed playlist {text!r}: expected a 22-character Spotify id, "
        "spotify:playlist:ID or https://open.spotify.com/playlist/ID"
    )
