"""Albums, an artist's albums and a user's playlists: the world seen from the other side.

The world is keyed by playlist, track and artist; these endpoints ask for an album's
tracks, an artist's albums and a user's playlists. The reverse indexes are built once,
on the first such request (an MPD world has hundreds of thousands of tracks, and most
runs never ask), and the objects are rendered in the Web API's shapes: a full album
with its first page of simplified tracks, simplified albums with ``album_group``.
"""

from __future__ import annotations

from typing import Any

from tunegraph.simulator.entities import Playlist, World
from tunegraph.simulator.render import MARKETS, OPEN, Renderer, paging


class Catalog:
    """Reverse indexes over one world, and the album and simplified-track shapes."""

    def __init__(self, world: World, renderer: Renderer) -> None:
        self.world, self.renderer = world, renderer
        self._artist_albums: dict[str, list[str]] | None = None
        self._user_playlists: dict[str, list[str]] | None = None

    # -- indexes ---------------------------------------------------------------------

    def artist_albums(self, artist_id: str) -> list[str]:
        """The artist's own albums, then those they appear on, each newest first."""
        if self._artist_albums is None:
            index: dict[str, list[str]] = {}
            for album in self.world.albums.values():
                for artist in album.artist_ids:
                    index.setdefault(artist, []).append(album.id)
            for track in self.world.tracks.values():
                for artist in track.artist_ids[1:]:
                    albums = index.setdefault(artist, [])
                    if track.album_id not in albums:
                        albums.append(track.album_id)
            self._artist_albums = index
        albums = self._artist_albums.get(artist_id, [])
        dates = {a: self.world.albums[a].release_date for a in albums}
        own = sorted((a for a in albums if self.group(a, artist_id) == "album"),
                     key=dates.__getitem__, reverse=True)  # fmt: skip
        rest = sorted((a for a in albums if a not in own), key=dates.__getitem__, reverse=True)
        return own + rest

    def user_playlists(self, user_id: str, created: dict[str, Playlist]) -> list[Playlist]:
        """The user's playlists of the world, then the ones created while serving."""
        if self._user_playlists is None:
            index: dict[str, list[str]] = {}
            for playlist in self.world.playlists.values():
                index.setdefault(playlist.owner_id, []).append(playlist.id)
            self._user_playlists = index
        world = [self.world.playlists[p] for p in self._user_playlists.get(user_id, [])]
        return world + [p for p in created.values() if p.owner_id == user_id]

    def group(self, album_id: str, artist_id: str) -> str:
        """``album_group``: "album" for the album's own artist, "appears_on" otherwise."""
        return "album" if artist_id in self.world.albums[album_id].artist_ids else "appears_on"

    # -- shapes ----------------------------------------------------------------------

    def album_simple(self, base: str, album_id: str) -> dict[str, Any]:
        return self.renderer.album_simple(base, self.world.albums[album_id])

    def album(self, base: str, album_id: str) -> dict[str, Any]:
        """The full album, its first 50 tracks embedded as a paging object."""
        out = self.album_simple(base, album_id)
        out["tracks"] = self.tracks_page(base, album_id, 0, 50)
        out["copyrights"] = []
        out["genres"] = []
        out["label"] = ""
        if self.renderer.extended:
            tracks = self.renderer.album_tracks(album_id)
            out["external_ids"] = {}
            out["popularity"] = max((self.world.tracks[t].popularity for t in tracks), default=0)
        return out

    def tracks_page(self, base: str, album_id: str, offset: int, limit: int) -> dict[str, Any]:
        """A paging object of the album's simplified tracks."""
        ids = self.renderer.album_tracks(album_id)
        items = [
            self.track_simple(base, tid, number + 1)
            for number, tid in enumerate(ids)
            if offset <= number < offset + limit
        ]
        return paging(f"{base}/v1/albums/{album_id}/tracks", items, len(ids), offset, limit)

    def track_simple(self, base: str, track_id: str, number: int) -> dict[str, Any]:
        track = self.world.tracks[track_id]
        out = {
            "artists": [self.renderer.artist_simple(base, a) for a in track.artist_ids],
            "disc_number": 1,
            "duration_ms": track.duration_ms,
            "explicit": track.explicit,
            "external_urls": {"spotify": f"{OPEN}/track/{track_id}"},
            "href": f"{base}/v1/tracks/{track_id}",
            "id": track_id,
            "name": track.name,
            "preview_url": None,
            "track_number": number,
            "type": "track",
            "uri": f"spotify:track:{track_id}",
            "is_local": False,
        }
        return self.renderer.extended_only(out, available_markets=MARKETS)
