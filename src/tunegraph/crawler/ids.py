"""Spotify ids: seeds (ids, spotify: URIs, open.spotify.com URLs) checked up front, and
the same rule for every id the network hands the crawl."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from tunegraph.crawler.errors import InvalidSeed

_ID = re.compile(r"[0-9A-Za-z]{22}")


def is_spotify_id(text: object) -> bool:
    """A 22-character base62 id, nothing else (no trailing newline, no path)."""
    return isinstance(text, str) and _ID.fullmatch(text) is not None


def parse_playlist_ref(text: str) -> str:
    """The playlist id in ``text`` (id, ``spotify:playlist:ID`` or an open.spotify.com URL)."""
    raw = text.strip()
    if raw.startswith("spotify:"):
        parts = raw.split(":")
        if len(parts) == 3 and parts[1] == "playlist" and is_spotify_id(parts[2]):
            return parts[2]
    elif "://" in raw or raw.startswith("open.spotify.com"):
        url = urlparse(raw if "://" in raw else f"https://{raw}")
        segments = [s for s in url.path.split("/") if s]
        if segments and segments[0].startswith("intl-"):
            segments = segments[1:]
        if (
            url.hostname == "open.spotify.com"
            and len(segments) == 2
            and segments[0] == "playlist"
            and is_spotify_id(segments[1])
        ):
            return segments[1]
    elif is_spotify_id(raw):
        return raw
    raise InvalidSeed(
        f"invalid seed playlist {text!r}: expected a 22-character Spotify id, "
        "spotify:playlist:ID or https://open.spotify.com/playlist/ID"
    )
