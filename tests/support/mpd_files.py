"""Small Million Playlist Dataset slice files written by tests (the real ones are 30 MB each)."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import Any

ARTISTS = [
    ("Missy Elliott", "2wIVse2owClT7go1WT98tk"),
    ("Britney Spears", "26dSoYclwsYLMAKD3tpOr4"),
    ("Beyoncé", "6vWDO969PvNqNYHIOW5v0m"),
    ("Justin Timberlake", "31TPClRtHm23RisEBtV3X7"),
]


def mpd_track(i: int, artist: int) -> dict[str, Any]:
    name, artist_id = ARTISTS[artist % len(ARTISTS)]
    return {
        "pos": 0,
        "artist_name": name,
        "artist_uri": f"spotify:artist:{artist_id}",
        "track_name": f"Song {i}",
        "track_uri": f"spotify:track:{i:022d}",
        "album_name": f"Album {i // 3}",
        "album_uri": f"spotify:album:{i // 3:022d}",
        "duration_ms": 200_000 + i,
    }


def mpd_playlist(
    pid: int, track_numbers: list[int], name: str = "", **extra: Any
) -> dict[str, Any]:
    tracks = []
    for pos, i in enumerate(track_numbers):
        track = mpd_track(i, i)
        track["pos"] = pos
        tracks.append(track)
    body = {
        "name": name or f"Playlist {pid}",
        "collaborative": "false",
        "pid": pid,
        "modified_at": 1_500_000_000 + pid,
        "num_tracks": len(tracks),
        "num_albums": 1,
        "num_followers": pid % 7 + 1,
        "tracks": tracks,
    }
    body.update(extra)
    return body


def write_slice(
    folder: Path, start: int, playlists: list[dict[str, Any]], gz: bool = False
) -> Path:
    """Write ``mpd.slice.{start}-{end}.json`` (or ``.json.gz``) in the dataset's layout."""
    end = start + len(playlists) - 1
    info = {"generated_on": "2017-12-03 08:41:42", "slice": f"{start}-{end}", "version": "v1"}
    doc = {"info": info, "playlists": playlists}
    name = f"mpd.slice.{start}-{end}.json"
    text = json.dumps(doc, indent=2)
    if gz:
        path = folder / (name + ".gz")
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path = folder / name
        path.write_text(text, encoding="utf-8")
    return path


def write_corrupt_gz_slice(folder: Path, start: int, playlists: list[dict[str, Any]]) -> Path:
    """A ``.json.gz`` slice whose deflate stream breaks half-way, where zlib itself fails.

    The first half is compressed and flushed to a byte boundary; then comes a block of
    the reserved type 3 (byte 0x07), which zlib rejects with "invalid block type" - a
    ``zlib.error``, not the ``OSError``/``EOFError`` of a bad header or a cut file.
    """
    path = write_slice(folder, start, playlists)
    text = path.read_bytes()
    path.unlink()
    half = len(text) // 2
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip header and trailer
    data = deflate.compress(text[:half]) + deflate.flush(zlib.Z_FULL_FLUSH) + b"\x07" * 64
    gz = path.with_name(path.name + ".gz")
    gz.write_bytes(data)
    return gz


def two_worlds(root: Path) -> tuple[Path, Path]:
    """Two folders with a slice of the same name whose pids overlap (1 and 2), as two
    `generate-mpd` outputs have: the second one's playlists are other playlists."""
    first, second = root / "first", root / "second"
    for folder in (first, second):
        folder.mkdir(parents=True)
    write_slice(first, 0, [mpd_playlist(p, [p, p + 1], name=f"first {p}") for p in range(3)])
    write_slice(second, 0, [mpd_playlist(p, [50 + p], name=f"second {p}") for p in (1, 2, 3)])
    return first, second
