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

from tunegraph.datasets.mpd import MpdPlaylist, iter_playlists
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


def build_world_from_records(
    records: Iterable[MpdPlaylist], source: str = "mpd", seed: int | None = None
) -> World:
    """A ``World`` from MPD playlist records, read from files or generated in memory."""
    users: dict[str, User] = {}
    playlists: dict[str, Playlist] = {}
    rows: dict[str, dict] = {}
    artists: dict[str, Artist] = {}
    albums: dict[str, Album] = {}
    plays: Counter[str] = Counter()
    for record in records:
        owner = User(id=f"mpd-{record.pid}", display_name=f"MPD user {record.pid}")
        users[owner.id] = owner
        track_ids = []
        for item in record.tracks:
            artists.setdefault(item.artist_id, Artist(id=item.artist_id, name=item.artist_name))
            albums.setdefault(
                item.album_id,
                Album(
                    id=item.album_id,
                    name=item.album_name,
                    release_date="",
                    artist_ids=(item.artist_id,),
                ),
            )
            rows.setdefault(
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
            track_ids.append(item.track_id)
            plays[item.track_id] += 1
        pid = hashed_id("mpd", record.pid)
        playlists[pid] = Playlist(
            id=pid,
            name=record.name,
            description=record.description or "",
            owner_id=owner.id,
            track_ids=tuple(track_ids),
            followers=record.num_followers,
            snapshot_id=hashed_id("snapshot", pid, *track_ids, length=32),
            public=True,
            collaborative=record.collaborative,
            created_at=record.modified_at - len(track_ids) * 3600,
        )
    tracks = tracks_with_popularity(rows, plays)
    return World(
        users=users,
        playlists=playlists,
        tracks=tracks,
        artists=artists,
        albums=albums,
        source=source,
        seed=seed,
    )
