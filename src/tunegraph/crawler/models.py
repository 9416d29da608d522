"""Typed views of the API's JSON, parsed defensively.

Both playlist-item shapes are read: the current ``/items`` entry (``item``) and the
legacy ``/tracks`` entry (``track``). Null entries, local files and episodes are
skipped and counted; a body of the wrong shape is ``MalformedResponse`` (retried).
Every id is checked as the seeds are (``ids.is_spotify_id``): one that is not a Spotify
id is skipped and counted, never stored nor put in a URL.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tunegraph.crawler.errors import MalformedResponse
from tunegraph.crawler.ids import is_spotify_id
from tunegraph.export_format import AUDIO_FEATURES


@dataclass(frozen=True)
class ArtistRef:
    id: str
    name: str


@dataclass(frozen=True)
class AlbumRef:
    id: str
    name: str | None
    release_date: str | None


@dataclass(frozen=True)
class Track:
    id: str
    name: str | None
    duration_ms: int | None
    explicit: bool | None
    popularity: int | None
    artists: tuple[ArtistRef, ...]
    album: AlbumRef | None


@dataclass(frozen=True)
class Entry:
    position: int
    added_at: str | None
    track: Track


@dataclass(frozen=True)
class PlaylistInfo:
    id: str
    name: str | None
    description: str | None
    snapshot_id: str | None
    followers: int | None
    owner_id: str | None
    owner_name: str | None


@dataclass
class ItemsPage:
    entries: list[Entry]
    skipped: Counter[str] = field(default_factory=Counter)
    next: str | None = None


@dataclass
class SearchPage:
    results: list[tuple[int, str]]  # (rank, playlist id), nulls and invalid ids left out
    nulls: int
    next: str | None
    invalid: int = 0  # results whose id is not a Spotify id


def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedResponse(f"expected an object for {what}")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise MalformedResponse(f"expected a list for {what}")
    return value


def _next(paging: dict[str, Any]) -> str | None:
    value = paging.get("next")
    if value is not None and not isinstance(value, str):
        raise MalformedResponse("next is not a URL")
    return value or None


def parse_playlist(body: Any) -> PlaylistInfo:
    body = _dict(body, "playlist")
    if not is_spotify_id(body.get("id")):
        raise MalformedResponse("playlist without a valid id")
    owner = body.get("owner") if isinstance(body.get("owner"), dict) else {}
    followers = body.get("followers")
    return PlaylistInfo(
        id=body["id"],
        name=body.get("name"),
        description=body.get("description") or None,
        snapshot_id=body.get("snapshot_id"),
        followers=followers.get("total") if isinstance(followers, dict) else None,
        owner_id=owner.get("id"),
        owner_name=owner.get("display_name"),
    )


def parse_track(obj: dict[str, Any], skipped: Counter[str]) -> Track:
    """The track in ``obj`` (its id checked by the caller); invalid artist or album ids
    are left out and counted in ``skipped``."""
    artists: list[ArtistRef] = []
    for a in obj.get("artists") or []:
        if not isinstance(a, dict) or a.get("id") is None:
            continue
        if is_spotify_id(a["id"]):
            artists.append(ArtistRef(a["id"], a.get("name") or ""))
        else:
            skipped["invalid artist id"] += 1
    album = obj.get("album")
    album_ref = None
    if isinstance(album, dict) and album.get("id") is not None:
        if is_spotify_id(album["id"]):
            album_ref = AlbumRef(album["id"], album.get("name"), album.get("release_date"))
        else:
            skipped["invalid album id"] += 1
    popularity = obj.get("popularity")
    return Track(
        id=obj["id"],
        name=obj.get("name"),
        duration_ms=obj.get("duration_ms"),
        explicit=obj.get("explicit"),
        popularity=popularity if isinstance(popularity, int) else None,
        artists=tuple(artists),
        album=album_ref,
    )


def parse_items_page(body: Any) -> ItemsPage:
    """One page of playlist items, in either shape."""
    body = _dict(body, "items page")
    raw_items = _list(body.get("items"), "items")
    offset = _offset(body)
    page = ItemsPage(entries=[], next=_next(body))
    for index, raw in enumerate(raw_items):
        if raw is None:
            page.skipped["null"] += 1
            continue
        raw = _dict(raw, "playlist item")
        obj = raw["item"] if "item" in raw else raw.get("track")
        if obj is None:
            page.skipped["null"] += 1
            continue
        obj = _dict(obj, "playlist item's track")
        if obj.get("type") == "episode":
            page.skipped["episode"] += 1
        elif raw.get("is_local") or obj.get("is_local") or obj.get("id") is None:
            page.skipped["local"] += 1
        elif not is_spotify_id(obj["id"]):
            page.skipped["invalid track id"] += 1
        else:
            track = parse_track(obj, page.skipped)
            page.entries.append(Entry(offset + index, raw.get("added_at"), track))
    return page


def _offset(paging: dict[str, Any]) -> int:
    value = paging.get("offset")
    return value if isinstance(value, int) else 0


def parse_search_page(body: Any) -> SearchPage:
    playlists = _dict(_dict(body, "search answer").get("playlists"), "playlists")
    raw_items = _list(playlists.get("items"), "search items")
    offset = _offset(playlists)
    page = SearchPage(results=[], nulls=0, next=_next(playlists))
    for index, raw in enumerate(raw_items):
        if not isinstance(raw, dict) or raw.get("id") is None:
            page.nulls += 1
        elif not is_spotify_id(raw["id"]):
            page.invalid += 1
        else:
            page.results.append((offset + index, raw["id"]))
    return page


def parse_audio_features(body: Any) -> dict[str, dict[str, Any]]:
    """Track id → the features the model uses; null entries (unknown tracks) left out."""
    rows = _list(_dict(body, "audio features").get("audio_features"), "audio_features")
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        if isinstance(row, dict) and is_spotify_id(row.get("id")):
            out[row["id"]] = {
                name: float(row[name])
                for name in AUDIO_FEATURES
                if isinstance(row.get(name), int | float) and not isinstance(row.get(name), bool)
            }
    return out
