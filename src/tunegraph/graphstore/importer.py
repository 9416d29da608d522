"""Import Million Playlist Dataset slice files into the graph: streaming, batched, resumable.

One slice file at a time: a parser (a thread, or ``workers`` processes) turns a whole
slice into deduplicated write rows while the previous slice is being written, so memory
holds at most ``workers + 1`` slices whatever the number of files. A slice is validated
completely before anything of it is written, so a bad file leaves nothing behind.

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
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from neo4j import AsyncManagedTransaction

from tunegraph.datasets.mpd import MpdFormatError, find_slice_files, read_slice
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.errors import GraphStoreError
from tunegraph.graphstore.writers import GraphBatch, write_batch

__all__ = [
    "MPD_SOURCE",
    "FileResult",
    "ImportInterrupted",
    "ImportSettings",
    "ImportSummary",
    "Progress",
    "import_mpd",
    "mpd_playlist_id",
    "parse_slice_rows",
]

MPD_SOURCE = "mpd"

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
FILE_RECORDS = (
    "MATCH (f:ImportFile) WHERE f.id IN $ids AND f.status = 'complete' "
    "RETURN f.id AS id, f.sha256 AS sha256"
)

Row = dict[str, Any]


def mpd_playlist_id(pid: int) -> str:
    """The graph id of an MPD playlist: MPD pids are not Spotify ids, so they get a prefix."""
    return f"mpd:{pid}"


def file_key(path: Path) -> str:
    """The ImportFile id: the slice's name, the same for ``x.json`` and ``x.json.gz``."""
    name = path.name
    return name[: -len(".gz")] if name.endswith(".gz") else name


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


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


def _props(**values: Any) -> Row:
    return {k: v for k, v in values.items() if v is not None}


def parse_slice_rows(path: str | PathLike[str]) -> SliceRows:
    """Read and validate a whole slice into write rows; a bad file comes back with ``error``."""
    path = Path(path)
    out = SliceRows(path=str(path), key=file_key(path), sha256="")
    try:
        out.sha256 = file_sha256(path)
    except OSError as exc:
        out.error = f"{path}: cannot read: {exc.strerror or exc}"
        return out
    tracks: dict[str, Row] = {}
    pids: set[int] = set()
    try:
        for playlist in read_slice(path):
            if playlist.pid in pids:
                raise MpdFormatError(f"{path}: pid {playlist.pid} appears twice")
            pids.add(playlist.pid)
            pid = mpd_playlist_id(playlist.pid)
            out.playlists.append(
                {
                    "id": pid,
                    "props": _props(
                        name=playlist.name,
                        description=playlist.description,
                        followers=playlist.num_followers,
                        modified_at=playlist.modified_at,
                        collaborative=playlist.collaborative,
                        pid=playlist.pid,
                        source=MPD_SOURCE,
                    ),
                }
            )
            ids: list[str] = []
            positions: list[int] = []
            for track in playlist.tracks:
                tid = track.track_id
                ids.append(tid)
                positions.append(track.pos)
                if tid not in tracks:
                    tracks[tid] = {
                        "id": tid,
                        "name": track.track_name,
                        "duration_ms": track.duration_ms,
                        "artist_id": track.artist_id,
                        "artist_name": track.artist_name,
                        "album_id": track.album_id,
                        "album_name": track.album_name,
                    }
            if len(set(positions)) != len(positions):
                raise MpdFormatError(f"{path}: pid {playlist.pid}: two tracks share a 'pos'")
            out.contains.append({"id": pid, "n": len(ids), "tracks": ids, "positions": positions})
            out.rows += len(ids)
    except MpdFormatError as exc:
        return SliceRows(path=str(path), key=out.key, sha256=out.sha256, error=str(exc))
    out.tracks = list(tracks.values())
    return out


@dataclass(frozen=True)
class ImportSettings:
    """How to import. Defaults measured with benchmarks/import_mpd.py (see README)."""

    force: bool = False  # re-import recorded files, replacing their playlists' tracks
    workers: int = 1  # >1: parse slices in that many processes
    chunk_rows: int = 5_000  # rows per UNWIND statement
    tx_rows: int = 40_000  # rows per transaction
    # Track ids written earlier in this run are not sent again (a popular track sits in
    # most slices); the set is emptied when it reaches this size, so memory stays bounded.
    seen_tracks: int = 500_000
    # Tests only: raise ImportInterrupted after this many committed transactions.
    fail_after_transactions: int | None = None


@dataclass
class FileResult:
    path: str
    status: str  # "imported" | "skipped" | "failed"
    playlists: int = 0
    rows: int = 0
    seconds: float = 0.0
    error: str | None = None


@dataclass
class ImportSummary:
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    def _with(self, status: str) -> list[FileResult]:
        return [f for f in self.files if f.status == status]

    @property
    def imported(self) -> list[FileResult]:
        return self._with("imported")

    @property
    def skipped(self) -> list[FileResult]:
        return self._with("skipped")

    @property
    def failed(self) -> list[FileResult]:
        return self._with("failed")

    @property
    def playlists(self) -> int:
        return sum(f.playlists for f in self.imported)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.imported)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Progress:
    """Reported after every committed transaction and every finished file."""

    files_done: int
    files_total: int
    playlists: int
    rows: int
    seconds: float
    current: str

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


class ImportInterrupted(GraphStoreError):
    """The injected failure of ``ImportSettings.fail_after_transactions`` (tests)."""


ProgressCallback = Callable[[Progress], None]


def _chunks(rows: list[Row], size: int) -> Iterator[list[Row]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


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

    async def _statements(self, cypher: str, chunks: list[list[Row]]) -> None:
        async def work(tx: AsyncManagedTransaction) -> None:
            for chunk in chunks:
                await (await tx.run(cypher, rows=chunk)).consume()

        await self.store.write(work)
        self._committed()

    async def write(self, rows: SliceRows, replace: bool) -> None:
        s = self.settings
        for part in _chunks(rows.playlists, s.tx_rows):
            batch = GraphBatch()
            batch.nodes["Playlist"].extend(part)
            await write_batch(self.store, batch, s.chunk_rows)
            self._committed()
        tracks = [row for row in rows.tracks if row["id"] not in self.seen]
        for part in _chunks(tracks, s.tx_rows):
            await self._statements(MERGE_TRACKS, list(_chunks(part, s.chunk_rows)))
            if len(self.seen) + len(part) > s.seen_tracks:
                self.seen.clear()
            self.seen.update(row["id"] for row in part)
        # CONTAINS: whole playlists per statement and per transaction.
        for tx in _playlist_groups(rows.contains, s.tx_rows):
            statements = list(_playlist_groups(tx, s.chunk_rows))

            async def work(
                t: AsyncManagedTransaction, statements: list[list[Row]] = statements
            ) -> None:
                for chunk in statements:
                    if replace:
                        await (await t.run(DELETE_PLAYLIST_TRACKS, rows=chunk)).consume()
                    await (await t.run(CREATE_PLAYLIST_TRACKS, rows=chunk)).consume()

            await self.store.write(work)
            self.report(len(tx), sum(r["n"] for r in tx))
            self._committed()
        await self.store.run(
            MARK_FILE_DONE,
            id=rows.key,
            path=rows.path,
            sha256=rows.sha256,
            playlists=len(rows.playlists),
            rows=rows.rows,
        )


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


def expand_paths(paths: Iterable[str | PathLike[str]]) -> list[Path]:
    """Every slice file named by ``paths`` (files, or folders of ``mpd.slice.*``), in order."""
    files: list[Path] = []
    seen: set[Path] = set()
    for p in paths:
        for f in find_slice_files(p):
            if f.resolve() not in seen:
                seen.add(f.resolve())
                files.append(f)
    if not files:
        raise MpdFormatError("no MPD slice files given")
    return files


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
    summary = ImportSummary()
    start = time.perf_counter()
    done = {"playlists": 0, "rows": 0, "files": 0}

    def report(playlists: int, rows: int, current: str = "") -> None:
        done["playlists"] += playlists
        done["rows"] += rows
        if on_progress:
            on_progress(
                Progress(
                    files_done=done["files"],
                    files_total=len(files),
                    playlists=done["playlists"],
                    rows=done["rows"],
                    seconds=time.perf_counter() - start,
                    current=current,
                )
            )

    recorded = {
        r["id"]: r["sha256"]
        for r in await store.run(FILE_RECORDS, ids=[file_key(f) for f in files])
    }
    writer = _Writer(store, settings, lambda p, r: report(p, r))
    pool: Executor = (
        ProcessPoolExecutor(settings.workers)
        if settings.workers > 1
        else ThreadPoolExecutor(1, thread_name_prefix="mpd-parse")
    )
    loop = asyncio.get_running_loop()
    pending: list[tuple[Path, asyncio.Future[SliceRows] | None]] = []
    queue = iter(files)
    lookahead = max(1, settings.workers)

    def submit() -> None:
        for path in queue:
            key = file_key(path)
            if key in recorded and not settings.force:
                # Skipped files need no parsing; the checksum decides whether it changed.
                pending.append((path, None))
                continue
            future: Future[SliceRows] = pool.submit(parse_slice_rows, path)
            pending.append((path, asyncio.wrap_future(future, loop=loop)))
            if sum(1 for _, f in pending if f is not None) >= lookahead:
                return

    try:
        submit()
        while pending:
            path, future = pending.pop(0)
            key = file_key(path)
            file_start = time.perf_counter()
            if future is None:
                sha = await loop.run_in_executor(None, file_sha256, path)
                if sha == recorded[key]:
                    summary.files.append(FileResult(str(path), "skipped"))
                    done["files"] += 1
                    report(0, 0, str(path))
                    submit()
                    continue
                future = asyncio.wrap_future(pool.submit(parse_slice_rows, path), loop=loop)
            rows = await future
            submit()  # parse the next slice while this one is written
            if rows.error:
                summary.files.append(FileResult(str(path), "failed", error=rows.error))
            else:
                # A file recorded before but changed since replaces its playlists' tracks.
                replace = settings.force or key in recorded
                await writer.write(rows, replace)
                summary.files.append(
                    FileResult(
                        str(path),
                        "imported",
                        playlists=len(rows.playlists),
                        rows=rows.rows,
                        seconds=time.perf_counter() - file_start,
                    )
                )
            done["files"] += 1
            report(0, 0, str(path))
    finally:
        for _, future in pending:
            if future is not None:
                future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
    summary.seconds = time.perf_counter() - start
    return summary
