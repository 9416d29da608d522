"""Streaming reader for Million Playlist Dataset slice files (``mpd.slice.A-B.json[.gz]``).

Shared by the simulator's ``mpd:PATH`` world and ``tunegraph import mpd``. A slice is one
JSON object ``{"info": {...}, "playlists": [...]}`` of ~30 MB; ijson (its C backend)
streams the ``playlists`` items, so memory stays at one playlist plus one read buffer,
and every error - bad JSON, a bad record, a damaged or cut ``.gz`` - is an
``MpdFormatError`` naming the file and the playlist.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from io import BufferedIOBase
from operator import itemgetter
from os import PathLike
from pathlib import Path
from typing import Any, NamedTuple

import ijson

__all__ = [
    "MpdFormatError",
    "MpdPlaylist",
    "MpdTrack",
    "find_slice_files",
    "iter_playlists",
    "read_slice",
]

_SLICE_RE = re.compile(r"mpd\.slice\..*\.json(\.gz)?\Z")
_CHUNK = 1 << 16  # bytes per read: ijson's own default


class MpdFormatError(ValueError):
    """A slice file that is missing, unreadable or not in the MPD format; says which and where."""


class MpdTrack(NamedTuple):
    """One track entry; a NamedTuple because a full slice builds ~66,000 of them."""

    pos: int
    artist_name: str
    artist_uri: str
    track_name: str
    track_uri: str
    album_name: str
    album_uri: str
    duration_ms: int

    @property
    def track_id(self) -> str:
        return self.track_uri.rsplit(":", 1)[-1]

    @property
    def artist_id(self) -> str:
        return self.artist_uri.rsplit(":", 1)[-1]

    @property
    def album_id(self) -> str:
        return self.album_uri.rsplit(":", 1)[-1]


@dataclass(frozen=True)
class MpdPlaylist:
    pid: int
    name: str
    collaborative: bool
    modified_at: int
    num_tracks: int
    num_followers: int
    description: str | None
    tracks: tuple[MpdTrack, ...]
    source_file: str


def find_slice_files(path: str | PathLike[str]) -> list[Path]:
    """The slice files at ``path``: the file itself, or a folder's ``mpd.slice.*`` files sorted."""
    p = Path(path)
    if not p.exists():
        raise MpdFormatError(f"{p}: no such file or folder")
    if p.is_file():
        return [p]
    files = sorted(f for f in p.iterdir() if f.is_file() and _SLICE_RE.match(f.name))
    if not files:
        raise MpdFormatError(f"{p}: no mpd.slice.*.json or .json.gz files in this folder")
    return files


def iter_playlists(
    paths: str | PathLike[str] | Iterable[str | PathLike[str]],
) -> Iterator[MpdPlaylist]:
    """Every playlist of every slice file under ``paths``, in file order then file position."""
    if isinstance(paths, (str, PathLike)):
        paths = [paths]
    files = [f for p in paths for f in find_slice_files(p)]
    if not files:
        raise MpdFormatError("no MPD slice files given")
    for file in files:
        yield from read_slice(file)


def read_slice(path: str | PathLike[str], chunk_size: int = _CHUNK) -> Iterator[MpdPlaylist]:
    """The playlists of one slice file, decoded one at a time from ``chunk_size`` reads."""
    path = Path(path)
    try:
        stream: BufferedIOBase = (
            gzip.GzipFile(path) if path.name.endswith(".gz") else path.open("rb")
        )
    except OSError as exc:
        raise MpdFormatError(f"{path}: cannot open: {exc.strerror or exc}") from exc
    with stream:
        yield from _Slice(stream, str(path)).playlists(chunk_size)


class _Slice:
    """One slice's ``playlists.item`` objects, streamed by ijson, and where reading got to."""

    def __init__(self, stream: BufferedIOBase, name: str) -> None:
        self.stream, self.name = stream, name
        self.read, self.last_pid = 0, -1

    @property
    def where(self) -> str:
        if not self.read:
            return "in playlist #0"
        return f"in playlist #{self.read} (after pid {self.last_pid})"

    def playlists(self, chunk_size: int) -> Iterator[MpdPlaylist]:
        raws = ijson.items(self.stream, "playlists.item", buf_size=chunk_size, use_float=True)
        try:
            for raw in raws:
                playlist = parse_playlist(raw, self.name, self.read)
                self.read, self.last_pid = self.read + 1, playlist.pid
                yield playlist
            if not self.read and not self._has_playlists_list():
                raise MpdFormatError(f"{self.name}: not an MPD slice: no 'playlists' list")
        except ijson.JSONError as exc:
            raise self._json_error(exc) from None
        except zlib.error as exc:  # a damaged deflate stream: not an OSError
            raise MpdFormatError(
                f"{self.name}: corrupt compressed data {self.where}: {exc}"
            ) from exc
        except EOFError as exc:  # a .gz cut short
            raise MpdFormatError(f"{self.name}: compressed file ends early {self.where}") from exc
        except OSError as exc:
            raise MpdFormatError(f"{self.name}: cannot read {self.where}: {exc}") from exc

    def _has_playlists_list(self) -> bool:
        """Whether a slice that gave no playlist has an empty list (valid) or none at all."""
        self.stream.seek(0)
        return isinstance(next(ijson.items(self.stream, "playlists"), None), list)

    def _json_error(self, exc: ijson.JSONError) -> MpdFormatError:
        text = exc.args[0] if exc.args else ""
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        reason = str(text).strip().splitlines()[0] if str(text).strip() else "bad JSON"
        if reason.endswith("premature EOF"):
            return MpdFormatError(f"{self.name}: file ends early {self.where}")
        return MpdFormatError(f"{self.name}: malformed JSON {self.where}: {reason}")


def _field(obj: dict, key: str, kinds: type | tuple[type, ...], where: str) -> Any:
    if key not in obj:
        raise MpdFormatError(f"{where}: missing {key!r}")
    value = obj[key]
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in _as_tuple(kinds)):
        raise MpdFormatError(f"{where}: {key!r} has the wrong type ({type(value).__name__})")
    return value


def _as_tuple(kinds: type | tuple[type, ...]) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def parse_playlist(raw: Any, file: str, index: int = 0) -> MpdPlaylist:
    """One MPD playlist object, validated into a typed record."""
    if not isinstance(raw, dict):
        raise MpdFormatError(f"{file}: playlist #{index} is not an object")
    pid = _field(raw, "pid", int, f"{file}: playlist #{index}")
    where = f"{file}: pid {pid}"
    collaborative = _field(raw, "collaborative", (str, bool), where)
    if isinstance(collaborative, str):
        if collaborative not in ("true", "false"):
            raise MpdFormatError(f'{where}: \'collaborative\' must be "true" or "false"')
        collaborative = collaborative == "true"
    description = raw.get("description")
    if description is not None and not isinstance(description, str):
        raise MpdFormatError(f"{where}: 'description' has the wrong type")
    tracks_raw = _field(raw, "tracks", list, where)
    tracks = _parse_tracks(tracks_raw, where)
    return MpdPlaylist(
        pid=pid,
        name=_field(raw, "name", str, where),
        collaborative=collaborative,
        modified_at=_field(raw, "modified_at", int, where),
        num_tracks=raw.get("num_tracks", len(tracks))
        if isinstance(raw.get("num_tracks"), int)
        else len(tracks),
        num_followers=raw.get("num_followers", 0)
        if isinstance(raw.get("num_followers"), int)
        else 0,
        description=description,
        tracks=tracks,
        source_file=file,
    )


# A track entry's values in MpdTrack's field order (the MPD's own keys), and their types.
_TRACK_VALUES = itemgetter(*MpdTrack._fields)
_TRACK_TYPES = (int, str, str, str, str, str, str, int)
_new_track = partial(tuple.__new__, MpdTrack)


def _parse_tracks(tracks_raw: list[Any], playlist_where: str) -> tuple[MpdTrack, ...]:
    """A playlist's track entries. Well-formed ones (a slice has ~66,000) are built and
    checked in one fast pass; if any is not, the checked path finds the message."""
    try:
        tracks = tuple(map(_new_track, map(_TRACK_VALUES, tracks_raw)))
    except (KeyError, TypeError):  # a key missing, or an entry that is not an object
        tracks = None
    if tracks is not None and all(map(_well_formed, tracks)):
        return tracks
    return tuple(
        _parse_track_checked(raw, f"{playlist_where}: track #{i}")
        for i, raw in enumerate(tracks_raw)
    )


def _well_formed(track: MpdTrack) -> bool:
    if tuple(map(type, track)) != _TRACK_TYPES:  # exact types: a bool is no int here
        return False
    artist, track_uri, album = track.artist_uri, track.track_uri, track.album_uri
    return (
        artist.startswith("spotify:artist:")
        and track_uri.startswith("spotify:track:")
        and album.startswith("spotify:album:")
        and len(artist) > len("spotify:artist:")
        and len(track_uri) > len("spotify:track:")
        and len(album) > len("spotify:album:")
        and (artist + track_uri + album).count(":") == 6  # two each: the prefixes' own
    )


def _parse_track_checked(raw: Any, where: str) -> MpdTrack:
    if not isinstance(raw, dict):
        raise MpdFormatError(f"{where}: not an object")
    uris = {}
    for key, kind in (("track_uri", "track"), ("artist_uri", "artist"), ("album_uri", "album")):
        uri = _field(raw, key, str, where)
        parts = uri.split(":")
        if len(parts) != 3 or parts[0] != "spotify" or parts[1] != kind or not parts[2]:
            raise MpdFormatError(f"{where}: {key} {uri!r} is not a spotify:{kind}: URI")
        uris[key] = uri
    return MpdTrack(
        pos=_field(raw, "pos", int, where),
        artist_name=_field(raw, "artist_name", str, where),
        track_name=_field(raw, "track_name", str, where),
        album_name=_field(raw, "album_name", str, where),
        duration_ms=_field(raw, "duration_ms", int, where),
        **uris,
    )
