"""Wire shapes of a playlist's non-track entries: podcast episodes and local files.

Episodes carry the full episode and simplified show objects Spotify's reference
describes. Local files are as Spotify sends them, which its reference cannot express:
``id``, ``href`` and the album's and artists' ids are ``null``, the ``uri`` is
``spotify:local:artist:album:name:seconds``. Development-mode apps lose
``available_markets``, ``external_ids`` and ``popularity`` here as everywhere.
"""

from __future__ import annotations

from typing import Any

from tunegraph.simulator.entities import Extra
from tunegraph.simulator.ids import stable_unit

OPEN = "https://open.spotify.com"
MARKETS = ("US",)  # where everything of a simulated world can be played
_EPISODES_PER_SHOW = 300


def extra_object(base: str, extra: Extra, extended: bool) -> dict[str, Any] | None:
    """The ``item`` of a playlist entry that is no track (``None``: a null entry)."""
    if extra.kind == "null":
        return None
    if extra.kind == "episode":
        return _episode(base, extra, extended)
    return _local_file(extra, extended)


def _episode(base: str, extra: Extra, extended: bool) -> dict[str, Any]:
    show_id = extra.id[::-1] if extra.id else None
    days = int(stable_unit("episode-date", extra.id) * 3650)
    year, day = 2015 + days // 365, days % 365
    show: dict[str, Any] = {
        "copyrights": [],
        "description": "",
        "explicit": False,
        "external_urls": {"spotify": f"{OPEN}/show/{show_id}"},
        "href": f"{base}/v1/shows/{show_id}",
        "html_description": "",
        "id": show_id,
        "images": [],
        "is_externally_hosted": False,
        "languages": ["en"],
        "media_type": "audio",
        "name": extra.album_name,
        "publisher": extra.album_name,
        "total_episodes": _EPISODES_PER_SHOW,
        "type": "show",
        "uri": f"spotify:show:{show_id}",
    }
    if extended:
        show["available_markets"] = list(MARKETS)
    return {
        "audio_preview_url": None,
        "description": "",
        "duration_ms": extra.duration_ms,
        "explicit": False,
        "external_urls": {"spotify": f"{OPEN}/episode/{extra.id}"},
        "href": f"{base}/v1/episodes/{extra.id}",
        "html_description": "",
        "id": extra.id,
        "images": [],
        "is_externally_hosted": False,
        "is_local": False,
        "is_playable": True,
        "languages": ["en"],
        "name": extra.name,
        "release_date": f"{year}-{day // 28 % 12 + 1:02d}-{day % 28 + 1:02d}",
        "release_date_precision": "day",
        "show": show,
        "type": "episode",
        "uri": f"spotify:episode:{extra.id}",
    }


def _local_file(extra: Extra, extended: bool) -> dict[str, Any]:
    seconds = extra.duration_ms // 1000
    uri = f"spotify:local:{extra.artist_name}:{extra.album_name}:{extra.name}:{seconds}"
    out: dict[str, Any] = {
        "album": {"album_type": None, "artists": [], "external_urls": {}, "href": None,
                  "id": None, "images": [], "name": extra.album_name, "release_date": None,
                  "release_date_precision": None, "type": "album", "uri": None},
        "artists": [{"external_urls": {}, "href": None, "id": None,
                     "name": extra.artist_name, "type": "artist", "uri": None}],
        "disc_number": 0,
        "duration_ms": extra.duration_ms,
        "explicit": False,
        "external_urls": {},
        "href": None,
        "id": None,
        "is_local": True,
        "name": extra.name,
        "preview_url": None,
        "track_number": 0,
        "type": "track",
        "uri": uri,
    }  # fmt: skip
    if extended:
        out["album"]["available_markets"] = []
        out.update(available_markets=[], external_ids={}, popularity=0)
    return out
