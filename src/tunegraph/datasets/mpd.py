"""Streaming reader for Million Playlist Dataset slice files (``mpd.slice.A-B.json[.gz]``).

Shared by the simulator's ``mpd:PATH`` world and ``tunegraph import mpd``. A
slice is one JSON object ``{"info": {...}, "playlists": [...]}`` of ~30 MB; the
reader decodes one playlist at a time from a chunked buffer, so memory stays at
one playlist plus one chunk, and every error - bad JSON, a bad record, a damaged or
cut ``.gz`` - is an ``MpdFormatError`` naming the file and the playlist.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from operator import itemgetter
from os import PathLike
from pathlib import Path
from typing import IO, Any, NamedTuple

from tunegraph.errors import TunegraphError

__all__ = [
    "MpdFormatError",
    "MpdPlaylist",
    "MpdTrack",
    "find_slice_files",
    "iter_playlists",
    "read_slice",
]

_SLICE_RE = re.compile(r"mpd\.slice\..*\.json(\.gz)?\Z")
_WS = re.compile(r"[ \t\n\r]*")
_CHUNK = 1 << 20


class MpdFormatError(TunegraphError, ValueError):
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
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        stream: IO[str] = opener(path, "rt", encoding="utf-8")
    except OSError as exc:
        raise MpdFormatError(f"{path}: cannot open: {exc.strerror or exc}") from exc
    with stream:
        reader = _Reader(stream, str(path), chunk_size)
        try:
            yield from reader.playlists()
        except zlib.error as exc:  # a damaged deflate stream: not an OSError
            raise MpdFormatError(f"{path}: corrupt compressed data {reader.where}: {exc}") from exc
        except EOFError as exc:  # a .gz cut short
            raise MpdFormatError(f"{path}: compressed file ends early {reader.where}") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise MpdFormatError(f"{path}: cannot read {reader.where}: {exc}") from exc


class _Reader:
    """Incremental top-level walk of ``{"info": …, "playlists": [ … ]}``."""

    def __init__(self, stream: IO[str], name: str, chunk_size: int) -> None:
        self.stream, self.name, self.chunk_size = stream, name, chunk_size
        self.buf, self.pos, self.eof = "", 0, False
        self.decoder = json.JSONDecoder()
        self.where = "at the start"

    def _fill(self) -> bool:
        if self.eof:
            return False
        data = self.stream.read(self.chunk_size)
        if not data:
            self.eof = True
            return False
        self.buf = self.buf[self.pos :] + data
        self.pos = 0
        return True

    def _peek(self) -> str:
        while True:
            blank = _WS.match(self.buf, self.pos)  # always matches, maybe empty
            self.pos = blank.end() if blank else self.pos
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                raise MpdFormatError(f"{self.name}: file ends early {self.where}")

    def _expect(self, char: str) -> None:
        if self._peek() != char:
            found = self.buf[self.pos]
            raise MpdFormatError(
                f"{self.name}: malformed JSON {self.where}: expected {char!r}, found {found!r}"
            )
        self.pos += 1

    def _value(self) -> Any:
        self._peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self._fill():
                    continue
                rest = self.buf[exc.pos :].strip()
                if not rest or exc.msg.startswith("Unterminated string"):
                    raise MpdFormatError(f"{self.name}: file ends early {self.where}") from None
                raise MpdFormatError(
                    f"{self.name}: malformed JSON {self.where}: {exc.msg}"
                ) from None
            if end == len(self.buf) and self._fill():
                continue  # a number could continue in the next chunk
            self.pos = end
            return value

    def playlists(self) -> Iterator[MpdPlaylist]:
        self._expect("{")
        seen_playlists = False
        if self._peek() == "}":
            self.pos += 1
        else:
            while True:
                key = self._value()
                if not isinstance(key, str):
                    raise MpdFormatError(f"{self.name}: malformed JSON {self.where}: key expected")
                self._expect(":")
                if key == "playlists":
                    seen_playlists = True
                    yield from self._playlist_array()
                else:
                    self._value()
                if self._peek() == ",":
                    self.pos += 1
                    continue
                self._expect("}")
                break
        if not seen_playlists:
            raise MpdFormatError(f"{self.name}: not an MPD slice: no 'playlists' list")

    def _playlist_array(self) -> Iterator[MpdPlaylist]:
        self._expect("[")
        if self._peek() == "]":
            self.pos += 1
            return
        index, last_pid = 0, None
        while True:
            self.where = f"in playlist #{index}" + (
                f" (after pid {last_pid})" if last_pid is not None else ""
            )
            raw = self._value()
            playlist = parse_playlist(raw, self.name, index)
            last_pid = playlist.pid
            yield playlist
            index += 1
            self.where = f"after pid {last_pid}"
            if self._peek() == ",":
                self.pos += 1
                continue
            self._expect("]")
            self.where = "after the playlists list"
            return


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1  # what the graph (and a CSV :long) can hold


def _field(obj: dict, key: str, kinds: type | tuple[type, ...], where: str) -> Any:
    if key not in obj:
        raise MpdFormatError(f"{where}: missing {key!r}")
    value = obj[key]
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in _as_tuple(kinds)):
        raise MpdFormatError(f"{where}: {key!r} has the wrong type ({type(value).__name__})")
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        raise MpdFormatError(f"{where}: {key!r} is {value}, beyond a 64-bit integer")
    return value


def _optional_int(obj: dict, key: str, default: int, where: str) -> int:
    """An int field that may be absent or of another type (then ``default``)."""
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        return default
    return int(_field(obj, key, int, where))


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
        num_tracks=_optional_int(raw, "num_tracks", len(tracks), where),
        num_followers=_optional_int(raw, "num_followers", 0, where),
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
