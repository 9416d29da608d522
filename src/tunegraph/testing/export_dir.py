"""Write a valid export directory from playlists in memory, so model tests and benchmarks
need no Neo4j.

The layout and dtypes come from ``tunegraph.export_format`` (the exporter's contract), so
these files are what ``tunegraph export`` would write for the same playlists;
``records_export`` writes Million Playlist Dataset records as ``import mpd`` + ``export``
would leave them (playlist ids ``mpd:<pid>``, track ids from the URIs).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tunegraph import export_format as F
from tunegraph.graphstore.export import arrow_schema


def _table(columns: tuple[F.Column, ...], rows: dict[str, list[Any]]) -> pa.Table:
    # the exporter's own schema, nullability included
    return pa.table({c.name: rows[c.name] for c in columns}, schema=arrow_schema(columns))


def write_export_dir(
    path: str | Path,
    playlists: Mapping[str, Sequence[str]],
    tracks_meta: Mapping[str, Mapping[str, Any]] | None = None,
    query_entity: str = "playlist",
    owners: Mapping[str, str] | None = None,
    shard_rows: int = 0,
    manifest_overrides: Mapping[str, Any] | None = None,
    names: Mapping[str, str] | None = None,
) -> Path:
    """Write ``path`` as an export of ``playlists`` ({playlist_id: [track_id, ...]}).

    ``tracks_meta`` maps a track id to optional fields: name, artist_ids, artist_names,
    album_id, popularity, and the audio features (all or none). Tracks without an
    entry get a name, one artist ``a-<track>``, no popularity and no audio features.
    ``shard_rows`` > 0 splits the interactions into several part files. ``names`` gives
    playlists their titles (default "Playlist <id>").
    """
    root = Path(path)
    (root / F.INTERACTIONS_DIR).mkdir(parents=True, exist_ok=True)
    (root / F.VOCAB_DIR).mkdir(parents=True, exist_ok=True)
    tracks_meta = tracks_meta or {}
    owners = owners or {pid: f"user-{pid}" for pid in playlists}
    query_of = owners if query_entity == "owner" else {pid: pid for pid in playlists}
    inter = _interaction_rows(playlists, query_of)
    _write_interactions(root, inter, shard_rows)
    track_ids = sorted({t for ts in playlists.values() for t in ts} | set(tracks_meta))
    trows = _track_rows(track_ids, tracks_meta)
    pq.write_table(_table(F.TRACK_COLUMNS, trows), root / F.TRACKS_FILE)
    prows: dict[str, list[Any]] = {
        "playlist_id": list(playlists),
        "name": [(names or {}).get(pid, f"Playlist {pid}") for pid in playlists],
        "owner_id": [owners[pid] for pid in playlists],
    }
    pq.write_table(_table(F.PLAYLIST_COLUMNS, prows), root / F.PLAYLISTS_FILE)
    vocabs = {
        "query_id": sorted(set(inter["query_id"])),
        "track_id": track_ids,
        "artist_id": sorted({a for artists in trows["artist_ids"] for a in artists}),
        "album_id": sorted({a for a in trows["album_id"] if a}),
    }
    for name, values in vocabs.items():
        text = "".join(f"{v}\n" for v in values)
        (root / F.VOCAB_DIR / f"{name}.txt").write_text(text, encoding="utf-8")
    counts = {"interactions": len(inter["track_id"]), "tracks": len(track_ids),
              "playlists": len(playlists)}  # fmt: skip
    _write_manifest(root, playlists, counts, query_entity, manifest_overrides)
    return root


def _interaction_rows(
    playlists: Mapping[str, Sequence[str]], query_of: Mapping[str, str]
) -> dict[str, list[Any]]:
    """One row per (playlist, track), first position kept, as the exporter dedups."""
    inter: dict[str, list[Any]] = {c.name: [] for c in F.INTERACTION_COLUMNS}
    for pid, track_ids in playlists.items():
        seen: set[str] = set()
        for position, tid in enumerate(track_ids):
            if tid in seen:
                continue
            seen.add(tid)
            inter["query_id"].append(query_of[pid])
            inter["playlist_id"].append(pid)
            inter["track_id"].append(tid)
            inter["position"].append(position)
    return inter


def _write_interactions(root: Path, inter: dict[str, list[Any]], shard_rows: int) -> None:
    n = len(inter["track_id"])
    step = shard_rows if shard_rows > 0 else max(n, 1)
    for shard, start in enumerate(range(0, max(n, 1), step)):
        part = {k: v[start : start + step] for k, v in inter.items()}
        pq.write_table(
            _table(F.INTERACTION_COLUMNS, part),
            root / F.INTERACTIONS_DIR / f"part-{shard:05d}.parquet",
        )


def _track_rows(
    track_ids: list[str], tracks_meta: Mapping[str, Mapping[str, Any]]
) -> dict[str, list[Any]]:
    trows: dict[str, list[Any]] = {c.name: [] for c in F.TRACK_COLUMNS}
    for tid in track_ids:
        meta = tracks_meta.get(tid, {})
        artists = list(meta.get("artist_ids", [f"a-{tid}"]))
        trows["track_id"].append(tid)
        trows["track_name"].append(meta.get("name", f"Track {tid}"))
        trows["artist_ids"].append(artists)
        trows["artist_names"].append(
            list(meta.get("artist_names", [f"Artist {a}" for a in artists]))
        )
        trows["album_id"].append(meta.get("album_id"))
        popularity = meta.get("popularity")
        trows["popularity"].append(None if popularity is None else float(popularity))
        trows["has_popularity"].append(popularity is not None)
        has_audio = all(name in meta for name in F.AUDIO_FEATURES)
        for name in F.AUDIO_FEATURES:
            trows[name].append(float(meta[name]) if has_audio else None)
        trows["has_audio_features"].append(has_audio)
    return trows


def _write_manifest(
    root: Path,
    playlists: Mapping[str, Sequence[str]],
    counts: dict[str, int],
    query_entity: str,
    overrides: Mapping[str, Any] | None,
) -> None:
    manifest: dict[str, Any] = {
        F.MANIFEST_FORMAT_VERSION: F.FORMAT_VERSION,
        F.MANIFEST_COUNTS: counts,
        F.MANIFEST_SCHEMA: F.full_schema(),
        F.MANIFEST_QUERY_ENTITY: query_entity,
        F.MANIFEST_QUERY: "(written by tunegraph.testing.export_dir)",
        F.MANIFEST_GRAPH_CHECKSUM: _checksum(playlists),
    }
    manifest.update(overrides or {})
    (root / F.MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _checksum(playlists: Mapping[str, Sequence[str]]) -> str:
    """A stable digest of the pairs, standing in for the exporter's graph checksum."""
    digest = hashlib.sha256()
    for pid in sorted(playlists):
        digest.update(pid.encode() + b"\0" + "\0".join(playlists[pid]).encode() + b"\n")
    return digest.hexdigest()[:16]


def spotify_id(uri: str) -> str:
    return uri.rsplit(":", 1)[-1]


def records_export(root: Path, records: Iterable[dict[str, Any]]) -> Path:
    """Write MPD playlist records (slice format) as an export directory."""
    lists: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    meta: dict[str, dict[str, Any]] = {}
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
