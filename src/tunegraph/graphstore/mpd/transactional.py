"""Import Million Playlist Dataset slice files into the graph: streaming, batched, resumable.

One slice file at a time: a ``SlicePool`` (a thread, or ``workers`` processes) turns a
whole slice into deduplicated write rows while the previous slice is being written, so
memory holds at most ``workers + 1`` slices whatever the number of files. A slice is
validated completely before anything of it is written, so a bad file leaves nothing
behind.

Writes per slice, each an idempotent transaction function:

1. nodes by label (Playlist, Track, Artist, Album), then BY and ON, as MERGE through
   ``writers.write_batch``;
2. CONTAINS grouped by playlist: a playlist's relationships are created in one
   transaction, and only when the playlist has none yet (``--force`` replaces them), so
   a retried or re-run transaction never duplicates a relationship;
3. an ``ImportFile`` node recording the completed file (name, sha256, counts).

A re-run skips recorded files with the same checksum; an interrupted run writes the
unfinished file again, which changes nothing where it had already got to.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from neo4j import AsyncManagedTransaction

from tunegraph.datasets.mpd import MpdFormatError, MpdPlaylist
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.errors import GraphStoreError
from tunegraph.graphstore.mpd.slices import (
    TRACK_ROW_KEYS,
    FileResult,
    ImportSummary,
    ProgressCallback,
    ProgressTally,
    SlicePool,
    checked_playlists,
    duplicate_message,
    expand_paths,
    file_key,
    file_sha256,
    mpd_playlist_id,
    playlist_properties,
    read_error,
    slice_identity,
    track_row,
)
from tunegraph.graphstore.writers import GraphBatch, chunks, write_batch

__all__ = [
    "ImportInterrupted",
    "ImportSettings",
    "import_mpd",
    "parse_slice_rows",
]

# Playlist CONTAINS rows, grouped: {id, n, tracks: [track id…], positions: [int…]}. The
# SET takes the playlist's write lock first, so two importers cannot both see "no
# CONTAINS yet"; the creation is skipped when the playlist already has its tracks.
CREATE_PLAYLIST_TRACKS = (
    "UNWIND $rows AS row "
    "MATCH (p:Playlist {id: row.id}) "
    "SET p.num_tracks = row.n "
    "WITH p, row WHERE NOT EXISTS { (p)-[:CONTAINS]->() } "
    "UNWIND range(0, size(row.tracks) - 1) AS i "
    "MATCH (t:Track {id: row.tracks[i]}) "
    "CREATE (p)-[:CONTAINS {position: row.positions[i]}]->(t)"
)
# Track rows with their (first) artist and album: {id, name, duration_ms, artist_id,
# artist_name, album_id, album_name}. MPD has one value per URI, so properties are set
# on creation only (a crawled track's richer properties stay); BY and ON are created
# with the track, and skipped for tracks that already have their artist.
MERGE_TRACKS = (
    "UNWIND $rows AS row "
    "MERGE (t:Track {id: row.id}) "
    "ON CREATE SET t.name = row.name, t.duration_ms = row.duration_ms "
    "WITH t, row WHERE NOT EXISTS { (t)-[:BY]->() } "
    "MERGE (a:Artist {id: row.artist_id}) ON CREATE SET a.name = row.artist_name "
    "MERGE (al:Album {id: row.album_id}) ON CREATE SET al.name = row.album_name "
    "CREATE (t)-[:BY {position: 0}]->(a) "
    "MERGE (t)-[:ON]->(al)"
)
# --force: the same rows, after the playlists' old CONTAINS are deleted in the same transaction.
DELETE_PLAYLIST_TRACKS = (
    "UNWIND $rows AS row MATCH (:Playlist {id: row.id})-[r:CONTAINS]->() DELETE r"
)
MARK_FILE_DONE = (
    "MERGE (f:ImportFile {id: $id}) "
    "SET f.kind = 'mpd', f.path = $path, f.sha256 = $sha256, f.status = 'complete', "
    "f.playlists = $playlists, f.rows = $rows, f.imported_at = datetime()"
)
# The slice's playlists that another file imported first (a pid repeated across files).
FROM_OTHER_FILES = (
    "MATCH (p:Playlist) WHERE p.id IN $ids AND p.mpd_file IS NOT NULL AND p.mpd_file <> $file "
    "RETURN p.id AS id, p.mpd_file AS file"
)
FILE_RECORDS = (
    "MATCH (f:ImportFile) WHERE f.id IN $ids AND f.status = 'complete' "
    "RETURN f.id AS id, f.sha256 AS sha256"
)

Row = dict[str, Any]


@dataclass
class SliceRows:
    """One parsed slice, as deduplicated write rows (picklable: it crosses processes)."""

    path: str
    key: str
    sha256: str
    playlists: list[Row] = field(default_factory=list)
    tracks: list[Row] = field(default_factory=list)  # with their artist and album
    contains: list[Row] = field(default_factory=list)
    rows: int = 0  # playlist-track rows (CONTAINS relationships)
    error: str | None = None
    skipped: bool = False  # recorded before with this checksum: nothing to write


def parse_slice_rows(path: str | PathLike[str], skip_sha256: str | None = None) -> SliceRows:
    """Read and validate a whole slice into write rows; a bad file comes back with ``error``.

    A file whose checksum is ``skip_sha256`` (its record's) is not parsed: ``skipped``.
    """
    path = Path(path)
    out = SliceRows(path=str(path), key=file_key(path), sha256="")
    try:
        out.sha256 = file_sha256(path)
    except OSError as exc:
        out.error = read_error(path, exc)
        return out
    if out.sha256 == skip_sha256:
        out.skipped = True
        return out
    tracks: dict[str, Row] = {}
    try:
        for playlist in checked_playlists(path):
            _add_playlist(out, tracks, playlist, slice_identity(path))
    except MpdFormatError as exc:
        return SliceRows(path=str(path), key=out.key, sha256=out.sha256, error=str(exc))
    out.tracks = list(tracks.values())
    return out


def _add_playlist(out: SliceRows, tracks: dict[str, Row], playlist: MpdPlaylist, file: str) -> None:
    """The playlist's node row and CONTAINS row; its tracks not yet in ``tracks``."""
    pid = mpd_playlist_id(playlist.pid)
    props = {k: v for k, v in playlist_properties(playlist, file).items() if v is not None}
    out.playlists.append({"id": pid, "props": props})
    ids = [track.track_id for track in playlist.tracks]
    for track, tid in zip(playlist.tracks, ids, strict=True):
        if tid not in tracks:
            tracks[tid] = dict(zip(TRACK_ROW_KEYS, track_row(track), strict=True))
    positions = [track.pos for track in playlist.tracks]
    out.contains.append({"id": pid, "n": len(ids), "tracks": ids, "positions": positions})
    out.rows += len(ids)


@dataclass(frozen=True)
class ImportSettings:
    """How to import. Defaults measured with benchmarks/import_mpd.py (see docs/benchmarks.md)."""

    force: bool = False  # re-import recorded files, replacing their playlists' tracks
    workers: int = 1  # >1: parse slices in that many processes
    chunk_rows: int = 5_000  # rows per UNWIND statement
    tx_rows: int = 40_000  # rows per transaction
    # Track ids written earlier in this run are not sent again (a popular track sits in
    # most slices); the set is emptied when it reaches this size, so memory stays bounded.
    seen_tracks: int = 500_000
    # Tests only: raise ImportInterrupted after this many committed transactions.
    fail_after_transactions: int | None = None


class ImportInterrupted(GraphStoreError):
    """The injected failure of ``ImportSettings.fail_after_transactions`` (tests)."""


class _Writer:
    """Writes one SliceRows in bounded transactions, counting commits for the injected fault."""

    def __init__(
        self, store: GraphStore, settings: ImportSettings, report: Callable[[int, int], None]
    ) -> None:
        self.store, self.settings, self.report = store, settings, report
        self.commits = 0
        self.seen: set[str] = set()

    def _committed(self) -> None:
        self.commits += 1
        limit = self.settings.fail_after_transactions
        if limit is not None and self.commits >= limit:
            raise ImportInterrupted(f"import interrupted after {self.commits} transaction(s)")

    async def write(self, rows: SliceRows, replace: bool) -> None:
        await self._playlists(rows.playlists)
        await self._tracks(rows.tracks)
        await self._contains(rows.contains, replace)
        await self.store.run(
            MARK_FILE_DONE,
            id=rows.key,
            path=rows.path,
            sha256=rows.sha256,
            playlists=len(rows.playlists),
            rows=rows.rows,
        )

    async def _playlists(self, playlists: list[Row]) -> None:
        for part in chunks(playlists, self.settings.tx_rows):
            batch = GraphBatch()
            batch.nodes["Playlist"].extend(part)
            await write_batch(self.store, batch, self.settings.chunk_rows)
            self._committed()

    async def _tracks(self, tracks: list[Row]) -> None:
        """Tracks with their BY and ON, leaving out those this run has written already."""
        s = self.settings
        fresh = [row for row in tracks if row["id"] not in self.seen]
        for part in chunks(fresh, s.tx_rows):
            await self._transaction([(MERGE_TRACKS, chunk) for chunk in chunks(part, s.chunk_rows)])
            self._committed()
            if len(self.seen) + len(part) > s.seen_tracks:
                self.seen.clear()
            self.seen.update(row["id"] for row in part)

    async def _contains(self, contains: list[Row], replace: bool) -> None:
        """CONTAINS: whole playlists per statement and per transaction."""
        for tx_rows in _playlist_groups(contains, self.settings.tx_rows):
            steps: list[tuple[str, list[Row]]] = []
            for chunk in _playlist_groups(tx_rows, self.settings.chunk_rows):
                if replace:
                    steps.append((DELETE_PLAYLIST_TRACKS, chunk))
                steps.append((CREATE_PLAYLIST_TRACKS, chunk))
            await self._transaction(steps)
            self.report(len(tx_rows), sum(r["n"] for r in tx_rows))
            self._committed()

    async def _transaction(self, steps: list[tuple[str, list[Row]]]) -> None:
        """The (cypher, rows) statements in one transaction function (retried whole)."""

        async def work(tx: AsyncManagedTransaction) -> None:
            for cypher, rows in steps:
                await (await tx.run(cypher, rows=rows)).consume()

        await self.store.write(work)


def _playlist_groups(rows: list[Row], max_rows: int) -> Iterator[list[Row]]:
    """Consecutive playlists whose tracks add up to at most max_rows (at least one each)."""
    group: list[Row] = []
    size = 0
    for row in rows:
        if group and size + row["n"] > max_rows:
            yield group
            group, size = [], 0
        group.append(row)
        size += row["n"]
    if group:
        yield group


async def recorded_files(store: GraphStore, files: list[Path]) -> dict[str, str]:
    """The checksums of the files recorded as imported, by ImportFile id."""
    records = await store.run_read(FILE_RECORDS, ids=[file_key(f) for f in files])
    return {r["id"]: r["sha256"] for r in records}


async def import_mpd(
    store: GraphStore,
    paths: Iterable[str | PathLike[str]],
    settings: ImportSettings | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import the slice files under ``paths``; bad files are reported, not raised.

    Raises MpdFormatError when a path does not exist or a folder holds no slice files,
    GraphStoreError when Neo4j fails. The schema must be in place (``ensure_schema``).
    """
    settings = settings or ImportSettings()
    files = expand_paths(paths)
    recorded = await recorded_files(store, files)
    tally = ProgressTally(len(files), on_progress)
    writer = _Writer(store, settings, lambda playlists, rows: tally.add(playlists, rows))
    # A recorded file is parsed only if it changed since (or with --force).
    jobs = [(path, None if settings.force else recorded.get(file_key(path))) for path in files]
    summary = ImportSummary()
    with SlicePool[SliceRows](settings.workers) as pool:
        for future in pool.in_order(parse_slice_rows, jobs):
            file_start = time.perf_counter()
            rows = await asyncio.wrap_future(future)
            refused = await _leave_out_duplicates(store, rows)
            # A file recorded before but changed since replaces its playlists' tracks.
            replace = settings.force or rows.key in recorded
            result = await _import_file(writer, rows, replace, file_start)
            result.refused = refused
            summary.files.append(result)
            tally.add(files=1, current=rows.path)
    summary.seconds = tally.seconds
    return summary


async def _leave_out_duplicates(store: GraphStore, rows: SliceRows) -> list[str]:
    """Drop the slice's playlists that another file imported (their rows, not their tracks'
    nodes, as the bulk path does); one line each, naming both files."""
    if rows.skipped or rows.error or not rows.playlists:
        return []
    found = await store.run_read(
        FROM_OTHER_FILES, ids=[p["id"] for p in rows.playlists], file=slice_identity(rows.path)
    )
    first = {r["id"]: r["file"] for r in found}
    if not first:
        return []
    rows.playlists = [p for p in rows.playlists if p["id"] not in first]
    rows.contains = [c for c in rows.contains if c["id"] not in first]
    rows.rows = sum(c["n"] for c in rows.contains)
    pids = sorted((int(pid.removeprefix("mpd:")), file) for pid, file in first.items())
    return [duplicate_message(pid, rows.path, file) for pid, file in pids]


async def _import_file(writer: _Writer, rows: SliceRows, replace: bool, start: float) -> FileResult:
    if rows.skipped:
        return FileResult(rows.path, "skipped")
    if rows.error:
        return FileResult(rows.path, "failed", error=rows.error)
    await writer.write(rows, replace)
    seconds = time.perf_counter() - start
    return FileResult(rows.path, "imported", len(rows.playlists), rows.rows, seconds)
