"""A world built from Million Playlist Dataset slices, for ``--world mpd:PATH``.

MPD playlists are anonymous and carry no genres, audio features, popularity or
release dates. Each playlist gets its own owner (``mpd-<pid>``), popularity is
derived from how often a track occurs in the loaded slices, audio features stay
empty (served as ``null``) and ids are kept from the dataset's URIs.
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

    def __init__(self) -> None:
        self.artists: dict[str, Artist] = {}
        self.albums: dict[str, Album] = {}
        self.rows: dict[str, dict] = {}
        self.plays: Counter[str] = Counter()

    def add(self, item: MpdTrack) -> str:
        """Record one playlist entry (first sight of an id wins); returns its track id."""
        self.artists.setdefault(item.artist_id, Artist(id=item.artist_id, name=item.artist_name))
        album = Album(id=item.album_id, name=item.album_name, release_date="",
                      artist_ids=(item.artist_id,))  # fmt: skip
        self.albums.setdefault(item.album_id, album)
        self.rows.setdefault(
            item.track_id,
            {
                "id": item.track_id,
                "name": item.track_name,
                "duration_ms": item.duration_ms,
                "explicit": False,
                "artist_ids": (item.artist_id,),
                "album_id": item.album_id,
            },
        )
        self.plays[item.track_id] += 1
        return item.track_id


def _playlist(record: MpdPlaylist, owner_id: str, track_ids: tuple[str, ...]) -> Playlist:
    pid = hashed_id("mpd", record.pid)
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
    records: Iterable[MpdPlaylist], source: str = "mpd", seed: int | None = None
) -> World:
    """A ``World`` from MPD playlist records, read from files or generated in memory."""
    users: dict[str, User] = {}
    playlists: dict[str, Playlist] = {}
    catalogue = _Catalogue()
    for record in records:
        owner = User(id=f"mpd-{record.pid}", display_name=f"MPD user {record.pid}")
        users[owner.id] = owner
        playlist = _playlist(record, owner.id, tuple(catalogue.add(t) for t in record.tracks))
        playlists[playlist.id] = playlist
    tracks = tracks_with_popularity(catalogue.rows, catalogue.plays)
    return World(users, playlists, tracks, catalogue.artists, catalogue.albums,
                 source=source, seed=seed)  # fmt: skip
