"""Export the graph's interactions and track features to Parquet, per ``tunegraph.export_format``.

Pages come from ``queries`` (keyset-paged, one fetched ahead); interactions and
tracks stream side by side, so Neo4j answers one while this process writes the other.
Interactions come back one record per playlist with its tracks in position order (far
fewer records than one per pair); duplicates of a track within a playlist are dropped
here, keeping the first position. Output:

    DIR/interactions/part-00000.parquet …   (query_id, playlist_id, track_id, position)
    DIR/tracks.parquet                       (export_format.TRACK_COLUMNS)
    DIR/playlists.parquet                    (export_format.PLAYLIST_COLUMNS)
    DIR/vocab/<query_id|track_id|artist_id|album_id>.txt
    DIR/manifest.json

The directory is written beside its target and swapped into place at the end
(``tunegraph.outputs.publish_dir``): an interrupted export leaves the earlier one whole,
and ``--out`` must be missing, empty or an earlier export holding nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tunegraph import export_format as F
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.errors import GraphStoreError
from tunegraph.graphstore.export.parquet import ShardedWriter, arrow_schema
from tunegraph.graphstore.export.queries import (
    INTERACTION_ROW,
    INTERACTIONS_QUERY,
    TRACK_ROW,
    TRACKS_QUERY,
    pages,
    prefetched,
)
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.outputs import publish_dir

__all__ = [
    "INTERACTIONS_QUERY",
    "TRACKS_QUERY",
    "ExportError",
    "ExportResult",
    "ExportSettings",
    "arrow_schema",
    "export_graph",
    "export_store",
]


# Enough playlists for the model to hold some out (split by playlist).
MIN_SPLIT_PLAYLISTS = 3


class ExportError(GraphStoreError):
    """The graph cannot be exported as asked (empty, too small, no owners)."""


@dataclass(frozen=True)
class ExportSettings:
    out_dir: Path
    query_entity: str = "playlist"
    shard_rows: int = 1_000_000  # interactions per part file
    page_playlists: int = 2_000  # playlists per interactions page
    page_tracks: int = 10_000  # tracks per track page


@dataclass
class ExportResult:
    out_dir: Path
    interactions: int
    playlists: int
    tracks: int
    shards: int
    skipped_playlists: int  # without tracks, or without an owner with --query-entity owner
    graph_checksum: str
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.interactions / self.seconds if self.seconds > 0 else 0.0


ProgressCallback = Callable[[str, int], None]  # (table, rows written so far)


def _dedup(tracks: list[str], positions: list[int] | None) -> tuple[list[str], list[int]]:
    """Tracks with their positions, a repeated track dropped (its first position kept);
    ``positions`` None means 0, 1, 2, … (the query sends no list then)."""
    if positions is None:
        positions = list(range(len(tracks)))
    if len(set(tracks)) == len(tracks) and (not positions or min(positions) >= 0):
        return tracks, positions  # the common case, without the per-track loop
    seen: set[str] = set()
    out_t: list[str] = []
    out_p: list[int] = []
    for rank, (track, position) in enumerate(zip(tracks, positions, strict=True)):
        if track in seen:
            continue
        seen.add(track)
        out_t.append(track)
        out_p.append(position if position >= 0 else rank)
    return out_t, out_p


async def export_graph(
    neo4j: Neo4jSettings, settings: ExportSettings, on_progress: ProgressCallback | None = None
) -> ExportResult:
    """Export the graph behind ``neo4j`` into ``settings.out_dir``: all `tunegraph export` does.

    ExportError (and OutputError for an ``out_dir`` not ours to replace) for what a user
    must fix; GraphStoreError when Neo4j fails.
    """
    async with GraphStore(neo4j) as store:
        return await export_store(store, settings, on_progress)


async def export_store(
    store: GraphStore, settings: ExportSettings, on_progress: ProgressCallback | None = None
) -> ExportResult:
    """``export_graph`` over a connection the caller holds (tests, benchmarks)."""
    if settings.query_entity not in F.QUERY_ENTITIES:
        raise ExportError(
            f"unknown query entity {settings.query_entity!r}: use {' or '.join(F.QUERY_ENTITIES)}"
        )
    start = time.perf_counter()
    out_dir = Path(settings.out_dir)
    with publish_dir(out_dir, "export") as tmp:  # OutputError for an --out not ours to replace
        (tmp / F.INTERACTIONS_DIR).mkdir()
        (tmp / F.VOCAB_DIR).mkdir()
        result = await _export(store, settings, tmp, on_progress)
    result.out_dir = out_dir
    result.seconds = time.perf_counter() - start
    return result


@dataclass
class _Interactions:
    """What the interactions stream found, for the checks and the manifest."""

    rows: int = 0
    playlists: int = 0
    skipped: int = 0
    splittable: int = 0  # playlists with at least 2 tracks
    without_owner: int = 0
    shards: int = 0
    query_ids: set[str] = field(default_factory=set)
    track_ids: set[str] = field(default_factory=set)


@dataclass
class _Tracks:
    ids: list[str] = field(default_factory=list)
    artist_ids: set[str] = field(default_factory=set)
    album_ids: set[str] = field(default_factory=set)


async def _export(
    store: GraphStore, settings: ExportSettings, root: Path, on_progress: ProgressCallback | None
) -> ExportResult:
    """Interactions and tracks stream side by side (Neo4j answers one while we write the
    other), each with its own digest so the checksum does not depend on their interleaving."""
    report = on_progress or (lambda _table, _rows: None)
    digests = hashlib.sha256(), hashlib.sha256()
    tracks_task = asyncio.create_task(_write_tracks(store, settings, root, digests[1], report))
    try:
        seen = await _write_interactions(store, settings, root, digests[0], report)
        _check_interactions(seen)
        tracks = await tracks_task
    finally:  # an error above: the tracks stream stops too (its own error is raised as is)
        tracks_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tracks_task
    missing = seen.track_ids.difference(tracks.ids)
    if missing:
        raise ExportError(
            f"the graph changed during the export ({len(missing)} track(s) such as "
            f"{sorted(missing)[0]} appeared in playlists but not in the track pages): run it again"
        )
    vocabularies = {
        "query_id": sorted(seen.query_ids),
        "track_id": sorted(tracks.ids),
        "artist_id": sorted(tracks.artist_ids),
        "album_id": sorted(tracks.album_ids),
    }
    for name in F.VOCABULARIES:
        text = "".join(f"{value}\n" for value in vocabularies[name])
        (root / F.VOCAB_DIR / f"{name}.txt").write_text(text, encoding="utf-8")
    checksum = hashlib.sha256(digests[0].digest() + digests[1].digest()).hexdigest()[:16]
    _write_manifest(root, store, settings, seen, tracks, checksum)
    return ExportResult(
        out_dir=root,
        interactions=seen.rows,
        playlists=seen.playlists,
        tracks=len(tracks.ids),
        shards=seen.shards,
        skipped_playlists=seen.skipped,
        graph_checksum=checksum,
        seconds=0.0,
    )


async def _write_interactions(
    store: GraphStore, settings: ExportSettings, root: Path, digest: Any, report: ProgressCallback
) -> _Interactions:
    """interactions/part-*.parquet and playlists.parquet, one page of playlists at a time."""
    seen = _Interactions()
    shards = ShardedWriter(root / F.INTERACTIONS_DIR, max(1, settings.shard_rows))
    playlist_schema = arrow_schema(F.PLAYLIST_COLUMNS)
    playlists_writer = pq.ParquetWriter(root / F.PLAYLISTS_FILE, playlist_schema)
    stream = pages(
        store,
        INTERACTIONS_QUERY,
        {"query_entity": settings.query_entity},
        INTERACTION_ROW.index("playlist_id"),
        settings.page_playlists,
    )
    try:
        async for page in prefetched(stream):
            rows: dict[str, list[Any]] = {c: [] for c in playlist_schema.names}
            for query_id, pid, track_ids, positions, name, owner_id in page:
                tracks, positions = _dedup(track_ids, positions)
                if not tracks or query_id is None:
                    seen.skipped += 1
                    seen.without_owner += int(bool(tracks) and query_id is None)
                    continue
                shards.add(query_id, pid, tracks, positions)
                digest.update(
                    "\x1f".join([query_id, pid, *tracks]).encode()
                    + b"\x1e"
                    + ",".join(map(str, positions)).encode()
                    + b"\n"
                )
                seen.query_ids.add(query_id)
                seen.track_ids.update(tracks)
                seen.rows += len(tracks)
                seen.playlists += 1
                seen.splittable += len(tracks) >= 2
                rows["playlist_id"].append(pid)
                rows["name"].append(name)
                rows["owner_id"].append(owner_id)
            if rows["playlist_id"]:
                playlists_writer.write_table(pa.table(rows, schema=playlist_schema))
            report("interactions", seen.rows)
    finally:
        shards.close()
        playlists_writer.close()
    seen.shards = shards.shards
    return seen


def _check_interactions(seen: _Interactions) -> None:
    if seen.rows == 0:
        if seen.without_owner:
            raise ExportError(
                f"no playlist in the graph has an owner ({seen.without_owner} have tracks but"
                " no OWNS relationship, as MPD imports do): export with --query-entity playlist"
            )
        raise ExportError(
            "the graph holds no playlist with tracks: crawl (tunegraph crawl) or import "
            "(tunegraph import mpd) some first"
        )
    if seen.splittable < MIN_SPLIT_PLAYLISTS:
        raise ExportError(
            f"too little data to split by playlist: {seen.splittable} playlist(s) with at least "
            f"2 tracks; need at least {MIN_SPLIT_PLAYLISTS}"
        )


async def _write_tracks(
    store: GraphStore, settings: ExportSettings, root: Path, digest: Any, report: ProgressCallback
) -> _Tracks:
    """tracks.parquet: every track that sits in a playlist, with its features."""
    track_schema = arrow_schema(F.TRACK_COLUMNS)
    tracks_writer = pq.ParquetWriter(root / F.TRACKS_FILE, track_schema)
    found = _Tracks()
    stream = pages(store, TRACKS_QUERY, {}, TRACK_ROW.index("track_id"), settings.page_tracks)
    ids, artists, album = (TRACK_ROW.index(c) for c in ("track_id", "artist_ids", "album_id"))
    try:
        async for page in prefetched(stream):
            columns = dict(zip(TRACK_ROW, map(list, zip(*page, strict=True)), strict=True))
            tracks_writer.write_table(pa.table(columns, schema=track_schema))
            found.ids.extend(columns["track_id"])
            for row in page:
                found.artist_ids.update(row[artists])
                if row[album] is not None:
                    found.album_ids.add(row[album])
                digest.update(
                    "\x1f".join([row[ids], *row[artists], row[album] or ""]).encode() + b"\n"
                )
            report("tracks", len(found.ids))
    finally:
        tracks_writer.close()
    return found


def _write_manifest(
    root: Path,
    store: GraphStore,
    settings: ExportSettings,
    seen: _Interactions,
    tracks: _Tracks,
    checksum: str,
) -> None:
    manifest: dict[str, Any] = {
        F.MANIFEST_FORMAT_VERSION: F.FORMAT_VERSION,
        F.MANIFEST_COUNTS: {
            "interactions": seen.rows,
            "tracks": len(tracks.ids),
            "playlists": seen.playlists,
            "queries": len(seen.query_ids),
            "artists": len(tracks.artist_ids),
            "albums": len(tracks.album_ids),
            "interaction_shards": seen.shards,
            "skipped_playlists": seen.skipped,
            "playlists_without_owner": seen.without_owner,
        },
        F.MANIFEST_SCHEMA: F.full_schema(),
        F.MANIFEST_QUERY_ENTITY: settings.query_entity,
        F.MANIFEST_QUERY: {"interactions": INTERACTIONS_QUERY, "tracks": TRACKS_QUERY},
        F.MANIFEST_GRAPH_CHECKSUM: checksum,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "neo4j": {"uri": store.settings.uri, "database": store.settings.database},
    }
    (root / F.MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
