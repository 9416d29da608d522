"""An MPD-shaped generated world written as an export directory, as ``import mpd`` +
``export`` would leave it (playlist ids ``mpd:<pid>``, track ids from the URIs)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from support.export_data import write_export_dir


def spotify_id(uri: str) -> str:
    return uri.rsplit(":", 1)[-1]


def records_export(root: Path, records: Iterable[dict]) -> Path:
    """Write MPD playlist records (slice format) as an export directory."""
    lists: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    meta: dict[str, dict] = {}
    for record in records:
        pid = f"mpd:{record['pid']}"
        names[pid] = record["name"]
        lists[pid] = [spotify_id(t["track_uri"]) for t in record["tracks"]]
        for t in record["tracks"]:
            meta.setdefault(
                spotify_id(t["track_uri"]),
                {
                    "name": t["track_name"],
                    "artist_ids": [spotify_id(t["artist_uri"])],
                    "artist_names": [t["artist_name"]],
                    "album_id": spotify_id(t["album_uri"]),
                },
            )
    return write_export_dir(root, lists, meta, names=names)
