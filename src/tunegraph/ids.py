"""One id grammar for every command, the Python API and the server.

A track or playlist is named by its bare id, a ``spotify:track:ID`` /
``spotify:playlist:ID`` URI or an ``open.spotify.com/track/ID`` link (``intl-xx/``
segments and query strings allowed). ``spotify_id_of`` reduces any of these to the id;
what it is reduced to is then checked by the caller: the crawler wants a 22-character
Spotify id, a model knows the ids of its data (``mpd:N`` for an imported MPD playlist).
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlparse

from tunegraph.errors import TunegraphError

Kind = Literal["track", "playlist"]
SPOTIFY_HOST = "open.spotify.com"
MPD_PREFIX = "mpd:"  # the graph id of an MPD playlist (tunegraph.graphstore.mpd.slices)
TRACK_URI_PREFIX = "spotify:track:"
_SPOTIFY_ID = re.compile(r"[0-9A-Za-z]{22}")


class IdSyntaxError(TunegraphError, ValueError):
    """A URI or link that names something other than the kind asked for, or nothing."""


def is_spotify_id(text: object) -> bool:
    """A 22-character base62 id, nothing else (no trailing newline, no path)."""
    return isinstance(text, str) and _SPOTIFY_ID.fullmatch(text) is not None


def spotify_id_of(text: str, kind: Kind) -> str:
    """The id in ``text``: a bare id as given, or the id of a ``kind`` URI or link."""
    raw = text.strip()
    if raw.startswith("spotify:"):
        parts = raw.split(":")
        if len(parts) == 3 and parts[1] == kind and parts[2]:
            return parts[2]
    elif "://" in raw or raw.startswith(SPOTIFY_HOST):
        url = urlparse(raw if "://" in raw else f"https://{raw}")
        segments = [s for s in url.path.split("/") if s]
        if segments and segments[0].startswith("intl-"):
            segments = segments[1:]
        if url.hostname == SPOTIFY_HOST and len(segments) == 2 and segments[0] == kind:
            return segments[1]
    elif raw:
        return raw
    raise IdSyntaxError(
        f"{text!r} is not a {kind}: give its id, spotify:{kind}:ID or"
        f" https://{SPOTIFY_HOST}/{kind}/ID"
    )


def track_id_of(value: object) -> str:
    """A bare track id from an id, URI, link or MPD track object (``track_uri``); text
    that names something else comes back as given, for the caller to call unknown."""
    if isinstance(value, dict):
        value = value.get("track_uri") or value.get("track_id") or ""
    text = str(value).strip()
    try:
        return spotify_id_of(text, "track") if text else ""
    except IdSyntaxError:
        return text


def mpd_suggestion(text: str) -> str:
    """``mpd:N`` for a plain number ``N`` (an MPD pid), else empty."""
    raw = text.strip()
    return MPD_PREFIX + raw if raw.isdigit() else ""
