"""Export the graph's interactions and track features to Parquet, per ``tunegraph.features``.

Every query is keyset-paged (``WHERE id > $after … ORDER BY id LIMIT $page``, an index
range scan on the uniqueness constraint) and streamed, so Neo4j and this process hold
one page at a time. Interactions come back one record per playlist with its tracks in
position order (far fewer records than one per pair); duplicates of a track within a
playlist are dropped here, keeping the first position. Output:

    DIR/interactions/part-00000.parquet …   (query_id, playlist_id, track_id, position)
    DIR/tracks.parquet                       (features.TRACK_COLUMNS)
    DIR/playlists.parquet                    (features.PLAYLIST_COLUMNS)
    DIR/vocab/<query_id|track_id|artist_id|album_id>.txt
    DIR/manifest.json

The directory is written beside its target and swapped into place at the end
(``tunegraph.outputs.publish_dir``): an interrupted export leaves the earlier one whole,
and ``--out`` must be missing, empty or an earlier export holding nothing else.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from neo4j import AsyncManagedTransaction

from tunegraph import features as F
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.errors import GraphStoreError
from tunegraph.outputs import publish_dir

__all__ = [
    "INTERACTIONS_QUERY",
    "TRACKS_QUERY",
    "ExportError",
    "ExportResult",
    "ExportSettings",
    "export_graph",
]


def _collect_rows(columns: list[str], key: str, when: str = "") -> str:
    """``RETURN collect({c: c, …}) AS rows, max(key) AS last``: a whole page in one record.

    The async driver spends ~0.1-0.3 ms per record here, so one record per page (a list of
    maps whose keys are the contract's column names) is an order of magnitude faster than
    one record per row; ``collect`` of a map keeps rows whose values are null.
    """
    row = "{" + ", ".join(f"{c}: {c}" for c in columns) + "}"
    if when:
        row = f"CASE WHEN {when} THEN {row} END"  # collect() skips the nulls
    return f"RETURN collect({row}) AS rows, max({key}) AS last, count(*) AS scanned"


# One row per playlist of the page: its query entity and its tracks in position order.
# query_id, playlist_id, track_id and position are the contract's interaction columns
# (track_id and position as aligned lists); name and owner_id feed playlists.parquet.
# A missing position sorts last and is replaced by its rank.
INTERACTIONS_QUERY = (
    """
MATCH (p:Playlist) WHERE p.id > $after
WITH p ORDER BY p.id LIMIT $page
CALL (p) {
  OPTIONAL MATCH (u:User)-[:OWNS]->(p)
  RETURN min(u.id) AS owner_id
}
CALL (p) {
  MATCH (p)-[r:CONTAINS]->(t:Track)
  WITH r, t ORDER BY coalesce(r.position, 2147483647), t.id
  RETURN collect(t.id) AS track_id, collect(coalesce(r.position, -1)) AS position
}
WITH CASE $query_entity WHEN 'owner' THEN owner_id ELSE p.id END AS query_id,
     p.id AS playlist_id, track_id, position, p.name AS name, owner_id
"""
    + _collect_rows([*F.column_names(F.INTERACTION_COLUMNS), "name", "owner_id"], "playlist_id")
).strip()

# One row per track that sits in a playlist, with exactly features.TRACK_COLUMNS.
# Artists in credit order (BY.position); absent popularity and audio features stay null
# and their masks say so. Tracks in no playlist are paged over but not returned.
TRACKS_QUERY = (
    """
MATCH (t:Track) WHERE t.id > $after
WITH t ORDER BY t.id LIMIT $page
CALL (t) {
  OPTIONAL MATCH (t)-[b:BY]->(a:Artist)
  WITH a, b ORDER BY coalesce(b.position, 2147483647), a.id
  RETURN collect(a.id) AS artist_ids, collect(coalesce(a.name, a.id)) AS artist_names
}
CALL (t) {
  OPTIONAL MATCH (t)-[:ON]->(al:Album)
  RETURN min(al.id) AS album_id
}
WITH EXISTS { (:Playlist)-[:CONTAINS]->(t) } AS used, t.id AS track_id, t.name AS track_name,
     artist_ids, artist_names, album_id,
     toFloat(t.popularity) AS popularity, t.popularity IS NOT NULL AS has_popularity,
"""
    + "".join(f"     toFloat(t.{name}) AS {name},\n" for name in F.AUDIO_FEATURES)
    + "     "
    + " AND ".join(f"t.{name} IS NOT NULL" for name in F.AUDIO_FEATURES)
    + " AS has_audio_features\n"
    + _collect_rows(F.column_names(F.TRACK_COLUMNS), "track_id", when="used")
).strip()

# Enough playlists for the model to hold some out (split by playlist).
MIN_SPLIT_PLAYLISTS = 3

_ARROW = {
    "string": pa.string(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float32": pa.float32(),
    "bool": pa.bool_(),
    "list<string>": pa.list_(pa.string()),
}


def arrow_schema(columns: tuple[F.Column, ...]) -> pa.Schema:
    """The Parquet schema of a contract table."""
    return pa.schema([pa.field(c.name, _ARROW[c.dtype], nullable=c.nullable) for c in columns])


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


async def _pages(
    store: GraphStore, cypher: str, params: dict[str, Any], key: str, page: int
) -> AsyncIterator[list[dict[str, Any]]]:
    """Keyset pages of ``cypher``'s rows, each page one read transaction, sorted by key."""
    after = ""
    while True:

        async def work(tx: AsyncManagedTransaction, after: str = after) -> Any:
            result = await tx.run(cypher, {**params, "after": after, "page": page})
            record = await result.single(strict=True)
            return record["rows"], record["last"], record["scanned"]

        rows, last, scanned = await store.read(work)
        if rows:
            yield sorted(rows, key=lambda row: row[key])
        if last is None or scanned < page:
            return
        after = last


class _ShardedWriter:
    """Interactions into part-NNNNN.parquet files of at most shard_rows rows."""

    def __init__(self, folder: Path, shard_rows: int, flush_rows: int = 200_000) -> None:
        self.folder, self.shard_rows = folder, shard_rows
        self.flush_rows = min(flush_rows, shard_rows)
        self.schema = arrow_schema(F.INTERACTION_COLUMNS)
        self.columns: dict[str, list[Any]] = {c: [] for c in self.schema.names}
        self.writer: pq.ParquetWriter | None = None
        self.in_shard = 0
        self.shards = 0

    def add(self, query_id: str, playlist_id: str, tracks: list[str], positions: list[int]) -> None:
        start = 0
        while start < len(tracks):
            room = self.shard_rows - self.in_shard - len(self.columns["track_id"])
            take = min(room, len(tracks) - start)
            self.columns["query_id"].extend([query_id] * take)
            self.columns["playlist_id"].extend([playlist_id] * take)
            self.columns["track_id"].extend(tracks[start : start + take])
            self.columns["position"].extend(positions[start : start + take])
            start += take
            if len(self.columns["track_id"]) >= self.flush_rows or take == room:
                self.flush()

    def flush(self) -> None:
        n = len(self.columns["track_id"])
        if not n:
            return
        if self.writer is None:
            path = self.folder / f"part-{self.shards:05d}.parquet"
            self.writer = pq.ParquetWriter(path, self.schema)
            self.shards += 1
        self.writer.write_table(pa.table(self.columns, schema=self.schema))
        self.columns = {c: [] for c in self.schema.names}
        self.in_shard += n
        if self.in_shard >= self.shard_rows:
            self.writer.close()
            self.writer, self.in_shard = None, 0

    def close(self) -> None:
        self.flush()
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        if self.shards == 0:  # the contract wants at least one part file
            pq.write_table(self.schema.empty_table(), self.folder / "part-00000.parquet")
            self.shards = 1


def _dedup(tracks: list[str], positions: list[int]) -> tuple[list[str], list[int]]:
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
    store: GraphStore, settings: ExportSettings, on_progress: ProgressCallback | None = None
) -> ExportResult:
    """Export the graph into ``settings.out_dir``; ExportError for what a user must fix."""
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


async def _export(
    store: GraphStore, settings: ExportSettings, root: Path, on_progress: ProgressCallback | None
) -> ExportResult:
    report = on_progress or (lambda _table, _rows: None)
    digest = hashlib.sha256()
    shards = _ShardedWriter(root / F.INTERACTIONS_DIR, max(1, settings.shard_rows))
    playlist_schema = arrow_schema(F.PLAYLIST_COLUMNS)
    playlists_writer = pq.ParquetWriter(root / F.PLAYLISTS_FILE, playlist_schema)
    query_ids: set[str] = set()
    interaction_tracks: set[str] = set()
    n_interactions = n_playlists = skipped = splittable = 0
    without_owner = 0
    try:
        async for page in _pages(
            store,
            INTERACTIONS_QUERY,
            {"query_entity": settings.query_entity},
            "playlist_id",
            settings.page_playlists,
        ):
            rows: dict[str, list[Any]] = {c: [] for c in playlist_schema.names}
            for record in page:
                tracks, positions = _dedup(record["track_id"], record["position"])
                query_id = record["query_id"]
                if not tracks or query_id is None:
                    skipped += 1
                    without_owner += int(bool(tracks) and query_id is None)
                    continue
                pid = record["playlist_id"]
                shards.add(query_id, pid, tracks, positions)
                digest.update(
                    "\x1f".join([query_id, pid, *tracks]).encode()
                    + b"\x1e"
                    + ",".join(map(str, positions)).encode()
                    + b"\n"
                )
                query_ids.add(query_id)
                interaction_tracks.update(tracks)
                n_interactions += len(tracks)
                n_playlists += 1
                splittable += len(tracks) >= 2
                rows["playlist_id"].append(pid)
                rows["name"].append(record["name"])
                rows["owner_id"].append(record["owner_id"])
            if rows["playlist_id"]:
                playlists_writer.write_table(pa.table(rows, schema=playlist_schema))
            report("interactions", n_interactions)
    finally:
        shards.close()
        playlists_writer.close()

    if n_interactions == 0:
        if without_owner:
            raise ExportError(
                f"no playlist in the graph has an owner ({without_owner} have tracks but no "
                "OWNS relationship, as MPD imports do): export with --query-entity playlist"
            )
        raise ExportError(
            "the graph holds no playlist with tracks: crawl (tunegraph crawl) or import "
            "(tunegraph import mpd) some first"
        )
    if splittable < MIN_SPLIT_PLAYLISTS:
        raise ExportError(
            f"too little data to split by playlist: {splittable} playlist(s) with at least "
            f"2 tracks; need at least {MIN_SPLIT_PLAYLISTS}"
        )

    track_schema = arrow_schema(F.TRACK_COLUMNS)
    tracks_writer = pq.ParquetWriter(root / F.TRACKS_FILE, track_schema)
    track_ids: list[str] = []
    artist_ids: set[str] = set()
    album_ids: set[str] = set()
    try:
        async for page in _pages(store, TRACKS_QUERY, {}, "track_id", settings.page_tracks):
            columns = {name: [r[name] for r in page] for name in track_schema.names}
            tracks_writer.write_table(pa.table(columns, schema=track_schema))
            for record in page:
                track_ids.append(record["track_id"])
                artist_ids.update(record["artist_ids"])
                if record["album_id"] is not None:
                    album_ids.add(record["album_id"])
                digest.update(
                    "\x1f".join(
                        [record["track_id"], *record["artist_ids"], record["album_id"] or ""]
                    ).encode()
                    + b"\n"
                )
            report("tracks", len(track_ids))
    finally:
        tracks_writer.close()

    missing = interaction_tracks.difference(track_ids)
    if missing:
        raise ExportError(
            f"the graph changed during the export ({len(missing)} track(s) such as "
            f"{sorted(missing)[0]} appeared in playlists but not in the track pages): run it again"
        )

    vocabularies = {
        "query_id": sorted(query_ids),
        "track_id": sorted(track_ids),
        "artist_id": sorted(artist_ids),
        "album_id": sorted(album_ids),
    }
    for name in F.VOCABULARIES:
        text = "".join(f"{value}\n" for value in vocabularies[name])
        (root / F.VOCAB_DIR / f"{name}.txt").write_text(text, encoding="utf-8")

    checksum = digest.hexdigest()[:16]
    manifest: dict[str, Any] = {
        F.MANIFEST_FORMAT_VERSION: F.FORMAT_VERSION,
        F.MANIFEST_COUNTS: {
            "interactions": n_interactions,
            "tracks": len(track_ids),
            "playlists": n_playlists,
            "queries": len(query_ids),
            "artists": len(artist_ids),
            "albums": len(album_ids),
            "interaction_shards": shards.shards,
            "skipped_playlists": skipped,
            "playlists_without_owner": without_owner,
        },
        F.MANIFEST_SCHEMA: F.full_schema(),
        F.MANIFEST_QUERY_ENTITY: settings.query_entity,
        F.MANIFEST_QUERY: {"interactions": INTERACTIONS_QUERY, "tracks": TRACKS_QUERY},
        F.MANIFEST_GRAPH_CHECKSUM: checksum,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "neo4j": {"uri": store.settings.uri, "database": store.settings.database},
    }
    (root / F.MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return ExportResult(
        out_dir=root,
        interactions=n_interactions,
        playlists=n_playlists,
        tracks=len(track_ids),
        shards=shards.shards,
        skipped_playlists=skipped,
        graph_checksum=checksum,
        seconds=0.0,
    )
