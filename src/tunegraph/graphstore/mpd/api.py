"""The one call `tunegraph import mpd` makes: name the files, pick the path, report, import.

The transactional path needs the schema first and adds to any graph; the bulk path loads
an empty database through an ``OfflineLoader``, which only the caller can make (the
graph store never imports ``tunegraph.neo4j_server``), so the caller hands in a factory
and the loader is made only when a bulk import is under way. Progress goes to an
``ImportReporter`` the caller passes in: the library prints nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from os import PathLike

from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.mpd.bulk import BulkSettings, bulk_import_mpd
from tunegraph.graphstore.mpd.offline import OfflineLoader
from tunegraph.graphstore.mpd.slices import ImportSummary, Progress, expand_paths
from tunegraph.graphstore.mpd.transactional import ImportSettings, import_mpd
from tunegraph.graphstore.schema import ensure_schema
from tunegraph.graphstore.settings import Neo4jSettings

LoaderFactory = Callable[[Neo4jSettings], OfflineLoader]


class ImportReporter:
    """Where an import says how it goes. This one keeps quiet; override what you show."""

    def started(self, stage: str, files: int) -> None:
        """The import begins ("importing", or "staging" for --bulk) over ``files`` files."""

    def progress(self, progress: Progress) -> None:
        """After every committed transaction and every finished file."""

    def stage(self, text: str) -> None:
        """A step of the bulk path begins ("staging CSV files", …)."""


async def import_mpd_files(
    neo4j: Neo4jSettings,
    paths: Iterable[str | PathLike[str]],
    options: ImportSettings | BulkSettings | None = None,
    reporter: ImportReporter | None = None,
    offline_loader: LoaderFactory | None = None,
) -> ImportSummary:
    """Import the slice files under ``paths`` into the graph behind ``neo4j``.

    ``ImportSettings`` (the default) imports by transactions; ``BulkSettings`` loads an
    empty database through ``offline_loader(neo4j)``. Bad files are in the summary, not
    raised. Raises MpdFormatError when ``paths`` name no slice file, BulkImportError or
    what the loader raises for a bulk load that cannot run, GraphStoreError when Neo4j
    fails.
    """
    files = expand_paths(paths)
    report = reporter or ImportReporter()
    if isinstance(options, BulkSettings):
        if offline_loader is None:
            raise TypeError("a bulk import needs an offline_loader")
        report.started("staging", len(files))
        loader = offline_loader(neo4j)
        return await bulk_import_mpd(neo4j, loader, files, options, report.progress, report.stage)
    report.started("importing", len(files))
    async with GraphStore(neo4j) as store:
        await ensure_schema(store)
        return await import_mpd(store, files, options, report.progress)
