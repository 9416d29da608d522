"""``tunegraph import mpd --bulk``: a first load of MPD through Neo4j's offline importer.

The transactional import (``transactional.import_mpd``) adds to any graph, resumes and
skips files one by one; it is limited by Neo4j's transactional writes. A first load of
the whole MPD into an empty database does not need any of that, and the offline
importer is several times faster, so this path stages the slices as CSV
(``staging``), has an ``OfflineLoader`` load them (the local server's, wired in by
the CLI), then puts the schema back and checks the counts. The ImportFile records it
writes are the ones the transactional path reads, so later runs of either kind skip
these files.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.errors import GraphStoreError
from tunegraph.graphstore.mpd.offline import OfflineLoader
from tunegraph.graphstore.mpd.slices import ImportSummary, Progress
from tunegraph.graphstore.mpd.staging import stage_mpd
from tunegraph.graphstore.schema import ensure_schema
from tunegraph.graphstore.settings import Neo4jSettings

COUNT_ALL = "MATCH (n) RETURN count(n) AS n"
# Answered from Neo4j's counts store, not by a scan: the database held nothing else.
COUNT_CONTAINS = "MATCH ()-[r:CONTAINS]->() RETURN count(r) AS n"


class BulkImportError(GraphStoreError):
    """--bulk cannot run here (a non-empty graph, a wrong count)."""


@dataclass(frozen=True)
class BulkSettings:
    workers: int = 2  # slice-parsing processes


async def bulk_import_mpd(
    settings: Neo4jSettings,
    loader: OfflineLoader,
    files: list[Path],
    options: BulkSettings | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Load ``files`` into the empty database behind ``settings``; bad files are reported.

    Raises BulkImportError when the database is not empty or a count is wrong; what
    ``loader`` raises when the offline import fails (the database is left empty).
    """
    options = options or BulkSettings()
    say = on_stage or (lambda _: None)
    start = time.perf_counter()
    async with GraphStore(settings) as store:
        existing = (await store.run_read(COUNT_ALL))[0]["n"]
    if existing:
        raise BulkImportError(
            f"--bulk loads an empty database, and this one holds {existing:,} nodes; import "
            "without --bulk to add to it, or start a fresh instance "
            "(tunegraph neo4j start --port 7688 --data-dir DIR)"
        )
    # The staged files go where the database goes: the disk that must hold them anyway.
    with tempfile.TemporaryDirectory(prefix="bulk-import-", dir=loader.scratch_dir) as tmp:
        say("staging CSV files")
        staging = await asyncio.to_thread(stage_mpd, files, Path(tmp), options.workers, on_progress)
        summary = ImportSummary(files=staging.files)
        if staging.rows or any(f.status == "imported" for f in staging.files):
            await asyncio.to_thread(loader.load, staging.input_groups(), Path(tmp), say)
    say("creating indexes and constraints")
    async with GraphStore(settings) as store:
        await ensure_schema(store)
        loaded = (await store.run_read(COUNT_CONTAINS))[0]["n"]
    if loaded != staging.rows:
        raise BulkImportError(
            f"the offline import loaded {loaded:,} playlist-track rows of {staging.rows:,}"
        )
    summary.seconds = time.perf_counter() - start
    return summary
