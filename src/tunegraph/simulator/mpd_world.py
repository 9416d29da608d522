"""A world built from Million Playlist Dataset slices, for ``--world mpd:PATH``.

MPD playlists are anonymous and carry no genres, audio features, popularity or
release dates. Each playlist gets its own owner (``mpd-<pid>``), popularity is
derived from how often a track occurs in the loaded slices, audio features stay
empty (served as ``null``) and ids are kept from the dataset's URIs.

A generated MPD-shaped world (``key`` given) is no real catalogue: its URIs are a
function of the generator's seed and index, and another size reuses them for other
tracks. Such a world hashes its key into every id instead (see ``ids.world_key``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from os import PathLike

from tunegraph.datasets.mpd import MpdPlaylist, MpdTrack, iter_playlists
from tunegraph.simulator.entities import (
    Album,
    Artist,
    Playlist,
    User,
    World,
    tracks_with_popularity,
)
from tunegraph.simulator.ids import hashed_id


def build_mpd_world(paths: str | PathLike[str] | Iterable[str | PathLike[str]]) -> World:
    """Read every playlist under ``paths`` into a ``World`` (raises ``MpdFormatError``)."""
    return build_world_from_records(iter_playlists(paths))


class _Catalogue:
    """The artists, albums and track rows of the records read so far, and track counts."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.artists: dict[str, Artist] = {}
        self.albums: dict[str, Album] = {}
        self.rows: dict[str, dict] = {}
        self.plays: Counter[str] = Counter()

    def id(self, kind: str, source_id: str) -> str:
        """The world's id for a record's id: kept for MPD data, hashed for a keyed world."""
        return hashed_id(self.key, kind, source_id) if self.key else source_id

    def owner_id(self, pid: int) -> str:
        return f"mpd-{self.key}-{pid}" if self.key else f"mpd-{pid}"

    def playlist_id(self, pid: int) -> str:
        return hashed_id(self.key, "playlist", pid) if self.key else hashed_id("mpd", pid)

    def add(self, item: MpdTrack) -> str:
        """Record one playlist entry (first sight of an id wins); returns its track id."""
        track_id, artist_id = self.id("track", item.track_id), self.id("artist", item.artist_id)
        album_id = self.id("album", item.album_id)
        self.artists.setdefault(artist_id, Artist(id=artist_id, name=item.artist_name))
        album = Album(id=album_id, name=item.album_name, release_date="",
                      artist_ids=(artist_id,))  # fmt: skip
        self.albums.setdefault(album_id, album)
        self.rows.setdefault(
            track_id,
            {
                "id": track_id,
                "name": item.track_name,
                "duration_ms": item.duration_ms,
                "explicit": False,
                "artist_ids": (artist_id,),
                "album_id": album_id,
            },
        )
        self.plays[track_id] += 1
        return track_id


def _playlist(record: MpdPlaylist, pid: str, owner_id: str, track_ids: tuple[str, ...]) -> Playlist:
    return Playlist(
        id=pid,
        name=record.name,
        description=record.description or "",
        owner_id=owner_id,
        track_ids=track_ids,
        followers=record.num_followers,
        snapshot_id=hashed_id("snapshot", pid, *track_ids, length=32),
        public=True,
        collaborative=record.collaborative,
        created_at=record.modified_at - len(track_ids) * 3600,
    )


def build_world_from_records(
    records: Iterable[MpdPlaylist], source: str = "mpd", seed: int | None = None, key: str = ""
) -> World:
    """A ``World`` from MPD playlist records, read from files or generated in memory;
    a non-empty ``key`` (a generated world's identity) is hashed into every id."""
    users: dict[str, User] = {}
    playlists: dict[str, Playlist] = {}
    catalogue = _Catalogue(key)
    for record in records:
        owner = User(id=catalogue.owner_id(record.pid), display_name=f"MPD user {record.pid}")
        users[owner.id] = owner
        track_ids = tuple(catalogue.add(t) for t in record.tracks)
        playlist = _playlist(record, catalogue.playlist_id(record.pid), owner.id, track_ids)
        playlists[playlist.id] = playlist
    tracks = tracks_with_popularity(catalogue.rows, catalogue.plays)
    return World(users, playlists, tracks, catalogue.artists, catalogue.albums,
                 source=source, seed=seed, key=key)  # fmt: skip
