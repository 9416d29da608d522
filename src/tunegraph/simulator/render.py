"""Wire shapes of the Web API (track, artist, playlist, paging objects), with caches.

Rendering is the hot path of a crawl benchmark, so per-track JSON fragments and
whole item pages are cached per base URL (hrefs are absolute) and pages are
assembled by joining fragments rather than re-serialising objects.
"""

from __future__ import annotations

import json
import time
from typing import Any

from tunegraph.simulator.entities import Album, Extra, Playlist, World
from tunegraph.simulator.render_extras import MARKETS, OPEN, extra_object

CACHE_BYTES = 128 << 20


def iso(ts: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def paging(
    url: str,
    items: list[Any],
    total: int,
    offset: int,
    limit: int,
    extra: str = "",
    max_offset: int | None = None,
) -> dict[str, Any]:
    """A paging object around rendered items: ``next``/``previous`` as absolute URLs, no
    ``next`` past the last item or beyond ``max_offset`` (search's cap)."""
    more = offset + limit < total and (max_offset is None or offset + limit <= max_offset)
    return {
        "href": f"{url}?offset={offset}&limit={limit}{extra}",
        "items": items,
        "limit": limit,
        "next": f"{url}?offset={offset + limit}&limit={limit}{extra}" if more else None,
        "offset": offset,
        "previous": f"{url}?offset={max(0, offset - limit)}&limit={limit}{extra}"
        if offset > 0
        else None,
        "total": total,
    }


def paging_json(
    url: str,
    items_json: str,
    total: int,
    offset: int,
    limit: int,
    extra: str = "",
    max_offset: int | None = None,
) -> str:
    """`paging` around items already serialised: joined in, never parsed or re-serialised.

    The stub ``"items":[]`` cannot occur earlier: inside the href string quotes are escaped.
    """
    shell = dumps(paging(url, [], total, offset, limit, extra, max_offset))
    head, stub, tail = shell.partition('"items":[]')
    return f"{head}{stub[:-2]}{items_json}{tail}"


class BodyCache:
    """Rendered bodies by key, at most ``limit`` bytes: past that it starts over (world
    data never changes while serving, so a body is good until it is dropped)."""

    def __init__(self, limit: int = CACHE_BYTES) -> None:
        self.limit = limit
        self._bodies: dict[tuple, bytes] = {}
        self._bytes = 0

    def get(self, key: tuple) -> bytes | None:
        return self._bodies.get(key)

    def put(self, key: tuple, body: bytes) -> bytes:
        if self._bytes + len(body) > self.limit:
            self._bodies.clear()
            self._bytes = 0
        self._bodies[key] = body
        self._bytes += len(body)
        return body


class Renderer:
    """Turns world entities into Spotify JSON for one mode and one set of mess kinds."""

    def __init__(self, world: World, extended: bool, mess: frozenset[str]) -> None:
        self.world = world
        self.extended = extended
        self.mess = mess
        self._entries: dict[str, list[str | Extra]] = {}
        self._tracks: dict[str, dict[str, str]] = {}
        self._pages = BodyCache()
        self._simple: dict[tuple[str, str], str] = {}
        self._album_tracks: dict[str, list[str]] | None = None

    def extended_only(self, out: dict[str, Any], **fields: Any) -> dict[str, Any]:
        """``out`` with ``fields`` added for extended-quota apps; development-mode apps lost
        them in February 2026 (popularity, followers, available_markets, external_ids)."""
        if self.extended:
            out.update(fields)
        return out

    def album_tracks(self, album_id: str) -> list[str]:
        """The album's tracks in the world's order (its track numbers)."""
        if self._album_tracks is None:
            index: dict[str, list[str]] = {}
            for track in self.world.tracks.values():
                index.setdefault(track.album_id, []).append(track.id)
            self._album_tracks = index
        return self._album_tracks.get(album_id, [])

    def entries(self, playlist: Playlist) -> list[str | Extra]:
        """The playlist's served entries (tracks plus enabled extras), cached."""
        cached = self._entries.get(playlist.id)
        if cached is None:
            cached = self._entries[playlist.id] = playlist.entries(self.mess)
        return cached

    # -- small objects -------------------------------------------------------------

    def user(self, base: str, user_id: str) -> dict[str, Any]:
        user = self.world.users.get(user_id)
        return {
            "display_name": user.display_name if user else user_id,
            "external_urls": {"spotify": f"{OPEN}/user/{user_id}"},
            "href": f"{base}/v1/users/{user_id}",
            "id": user_id,
            "type": "user",
            "uri": f"spotify:user:{user_id}",
        }

    def artist_simple(self, base: str, artist_id: str) -> dict[str, Any]:
        return {
            "external_urls": {"spotify": f"{OPEN}/artist/{artist_id}"},
            "href": f"{base}/v1/artists/{artist_id}",
            "id": artist_id,
            "name": self.world.artists[artist_id].name,
            "type": "artist",
            "uri": f"spotify:artist:{artist_id}",
        }

    def artist(self, base: str, artist_id: str) -> dict[str, Any]:
        artist = self.world.artists[artist_id]
        out = self.artist_simple(base, artist_id)
        out["genres"] = [artist.genre] if artist.genre else []
        out["images"] = []
        if self.extended:
            tracks = [t.popularity for t in self.world.tracks.values() if artist_id in t.artist_ids]
            out["popularity"] = max(tracks, default=0)
            out["followers"] = {"href": None, "total": sum(tracks) * 37}
        return out

    def album_simple(self, base: str, album: Album) -> dict[str, Any]:
        """The simplified album: as a track embeds it, and as an artist's albums list it."""
        out = {
            "album_type": "album",
            "artists": [self.artist_simple(base, a) for a in album.artist_ids],
            "external_urls": {"spotify": f"{OPEN}/album/{album.id}"},
            "href": f"{base}/v1/albums/{album.id}",
            "id": album.id,
            "images": [],
            "name": album.name,
            "release_date": album.release_date or None,  # an MPD world knows no dates
            "release_date_precision": "day" if album.release_date else None,
            "total_tracks": len(self.album_tracks(album.id)),
            "type": "album",
            "uri": f"spotify:album:{album.id}",
        }
        return self.extended_only(out, available_markets=MARKETS)

    def track(self, base: str, track_id: str) -> dict[str, Any]:
        track = self.world.tracks[track_id]
        album = self.world.albums[track.album_id]
        out: dict[str, Any] = {
            "album": self.album_simple(base, album),
            "artists": [self.artist_simple(base, a) for a in track.artist_ids],
            "disc_number": 1,
            "duration_ms": track.duration_ms,
            "explicit": track.explicit,
            "external_urls": {"spotify": f"{OPEN}/track/{track.id}"},
            "href": f"{base}/v1/tracks/{track.id}",
            "id": track.id,
            "is_local": False,
            "name": track.name,
            "type": "track",
            "uri": f"spotify:track:{track.id}",
        }
        return self.extended_only(out, popularity=track.popularity, available_markets=MARKETS)

    def track_json(self, base: str, track_id: str) -> str:
        per_base = self._tracks.get(base)
        if per_base is None:
            per_base = self._tracks[base] = {}
        text = per_base.get(track_id)
        if text is None:
            text = per_base[track_id] = dumps(self.track(base, track_id))
        return text

    def audio_features(self, base: str, track_id: str) -> dict[str, Any] | None:
        track = self.world.tracks.get(track_id)
        if track is None or not track.audio_features:
            return None
        return {
            **track.audio_features,
            "duration_ms": track.duration_ms,
            "id": track.id,
            "track_href": f"{base}/v1/tracks/{track.id}",
            "type": "audio_features",
            "uri": f"spotify:track:{track.id}",
        }

    # -- paging --------------------------------------------------------------------

    def items_page(
        self,
        base: str,
        playlist: Playlist,
        entries: list[str | Extra],
        field: str,
        offset: int,
        limit: int,
        cacheable: bool = True,
    ) -> bytes:
        """One page of a playlist's items; ``field`` is "item" (/items) or "track" (/tracks)."""
        key = (base, playlist.id, field, offset, limit)
        if cacheable:
            cached = self._pages.get(key)
            if cached is not None:
                return cached
        path = "items" if field == "item" else "tracks"
        url = f"{base}/v1/playlists/{playlist.id}/{path}"
        added_by = dumps(self.user(base, playlist.owner_id))
        parts = []
        for position in range(offset, min(offset + limit, len(entries))):
            entry = entries[position]
            added = iso(playlist.created_at + position * 3600)
            if isinstance(entry, str):
                item, local = self.track_json(base, entry), "false"
            else:
                item = dumps(extra_object(base, entry, self.extended))
                local = "true" if entry.kind == "local" else "false"
            parts.append(
                f'{{"added_at":"{added}","added_by":{added_by},"is_local":{local},'
                f'"primary_color":null,"{field}":{item}}}'
            )
        body = paging_json(url, "[" + ",".join(parts) + "]", len(entries), offset, limit).encode()
        return self._pages.put(key, body) if cacheable else body

    # -- playlists -----------------------------------------------------------------

    def playlist_simple(self, base: str, playlist: Playlist, total: int) -> dict[str, Any]:
        url = f"{base}/v1/playlists/{playlist.id}"
        return {
            "collaborative": playlist.collaborative,
            "description": playlist.description,
            "external_urls": {"spotify": f"{OPEN}/playlist/{playlist.id}"},
            "href": url,
            "id": playlist.id,
            "images": [],
            "items": {"href": f"{url}/items", "total": total},
            "name": playlist.name,
            "owner": self.user(base, playlist.owner_id),
            "primary_color": None,
            "public": playlist.public,
            "snapshot_id": playlist.snapshot_id,
            "tracks": {"href": f"{url}/tracks", "total": total},
            "type": "playlist",
            "uri": f"spotify:playlist:{playlist.id}",
        }

    def playlist_full(
        self,
        base: str,
        playlist: Playlist,
        entries: list[str | Extra],
        readable: bool,
        cacheable: bool = True,
    ) -> bytes:
        """The full playlist object; when its items are ``readable``, with their first
        pages (``items`` the current entries, ``tracks`` the legacy ones)."""
        body = self.playlist_simple(base, playlist, len(entries))
        self.extended_only(body, followers={"href": None, "total": playlist.followers})
        rendered = dumps(body)
        if readable:
            for key, field, limit in (("items", "item", 50), ("tracks", "track", 100)):
                page = self.items_page(base, playlist, entries, field, 0, limit, cacheable)
                start = rendered.index(f'"{key}":{{')  # the {href,total} stub
                end = rendered.index("}", start) + 1
                rendered = rendered[:start] + f'"{key}":' + page.decode() + rendered[end:]
        return rendered.encode()

    def playlist_simple_json(self, base: str, playlist: Playlist) -> str:
        """A world playlist's simplified JSON (search results), cached per base URL."""
        key = (base, playlist.id)
        text = self._simple.get(key)
        if text is None:
            total = len(self.entries(playlist))
            text = self._simple[key] = dumps(self.playlist_simple(base, playlist, total))
        return text

    def editorial_simple(self, base: str, playlist_id: str, query: str) -> dict[str, Any]:
        url = f"{base}/v1/playlists/{playlist_id}"
        return {
            "collaborative": False,
            "description": f"The essential tracks of {query}, all in one playlist.",
            "external_urls": {"spotify": f"{OPEN}/playlist/{playlist_id}"},
            "href": url,
            "id": playlist_id,
            "images": [],
            "items": {"href": f"{url}/items", "total": 50},
            "name": f"This Is {query}",
            "owner": {"display_name": "Spotify",
                      "external_urls": {"spotify": f"{OPEN}/user/spotify"},
                      "href": f"{base}/v1/users/spotify", "id": "spotify", "type": "user",
                      "uri": "spotify:user:spotify"},
            "primary_color": None,
            "public": True,
            "snapshot_id": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "tracks": {"href": f"{url}/tracks", "total": 50},
            "type": "playlist",
            "uri": f"spotify:playlist:{playlist_id}",
        }  # fmt: skip
