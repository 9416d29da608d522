"""`tunegraph import mpd PATH…`: load Million Playlist Dataset slice files into the graph."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

from tunegraph.cli.common import local_paths, neo4j_options
from tunegraph.cli.errors import cli_errors
from tunegraph.graphstore.mpd import (
    BulkSettings,
    FileResult,
    ImportReporter,
    ImportSettings,
    ImportSummary,
    OfflineLoader,
    Progress,
    import_mpd_files,
)
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.neo4j_server import local_offline_loader

REFUSED_SHOWN = 20  # duplicate pids listed one a line; the rest counted


@click.group("import")
def import_group() -> None:
    """Import playlist data sets into the graph.

    \b
    Example:
      tunegraph import mpd ~/data/spotify_million_playlist_dataset/data
    """


def _progress_bar(console: Console, show: bool) -> RichProgress:
    return RichProgress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "files · {task.fields[playlists]:,} playlists · {task.fields[rate]:,.0f} rows/s"
        ),
        TimeElapsedColumn(),
        console=console,
        disable=not show,
        transient=False,
    )


class _BarReporter(ImportReporter):
    """The import's progress bar on stderr; where no bar can draw (a log file), a line a file.

    The bar starts when the import does (after its files are found) and stops on leaving
    the ``with``; a bar that never started prints nothing.
    """

    def __init__(self, show: bool) -> None:
        self.console = Console(stderr=True)
        self.show = show
        self.lines = show and not self.console.is_terminal
        self.reported = 0
        self.bar: RichProgress | None = None
        self.task: TaskID | None = None

    def started(self, stage: str, files: int) -> None:
        self.bar = _progress_bar(self.console, self.show)
        self.bar.start()
        self.task = self.bar.add_task(stage, total=files, playlists=0, rate=0.0)

    def progress(self, progress: Progress) -> None:
        p = progress
        if self.bar is not None and self.task is not None:
            self.bar.update(
                self.task, completed=p.files_done, playlists=p.playlists, rate=p.rows_per_second
            )
        if self.lines and p.files_done > self.reported:  # no bar can draw: a line a file
            self.reported = p.files_done
            self.console.print(
                f"[import] {p.files_done}/{p.files_total} files · {p.playlists:,} playlists"
                f" · {p.rows_per_second:,.0f} rows/s",
                markup=False,
                highlight=False,
            )

    def stage(self, text: str) -> None:
        if self.show:
            self.console.print(f"[dim]{text}[/dim]")

    def __enter__(self) -> _BarReporter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _local_loader(settings: Neo4jSettings) -> OfflineLoader:
    """--bulk's loader: the local instance `tunegraph neo4j start` runs behind ``settings``."""
    return local_offline_loader(local_paths(), settings)


@import_group.command("mpd")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Re-import files already recorded as imported.")
@click.option(
    "--workers",
    type=click.IntRange(1, 32),
    default=None,
    help="Processes parsing slice files ahead of the writer (1: one parser thread). "
    "Default: 1; 2 with --bulk, where parsing is the larger half of the work.",
)
@click.option(
    "--bulk",
    is_flag=True,
    help="First load into an EMPTY database of `tunegraph neo4j start`: stage CSV files and "
    "load them with Neo4j's offline importer (stops and restarts that Neo4j; faster than "
    "transactions, see docs/benchmarks.md).",
)
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on stderr.")
@neo4j_options
@cli_errors
def mpd(
    paths: tuple[Path, ...],
    force: bool,
    workers: int | None,
    bulk: bool,
    progress: bool,
    neo4j: Neo4jSettings,
) -> None:
    """Import Million Playlist Dataset slice files (mpd.slice.*.json[.gz]).

    Each PATH is a slice file or a folder of them. Playlists get the id mpd:<pid> and
    source "mpd"; tracks, artists and albums keep their Spotify ids. Completed files
    are recorded in the graph, so a re-run skips them (--force re-imports) and an
    interrupted run picks up where it stopped. A bad file (malformed JSON, a bad
    record, a damaged or cut .gz) is reported in one line naming it and the playlist
    where reading stopped, and skipped; the other files are imported, and the exit
    status is non-zero, the last line naming the rejected files. A pid that an earlier
    file imported is left out of the later file (one line naming both, non-zero exit).

    With --bulk, a first load into an empty database goes through Neo4j's offline
    importer instead of transactions: all files at once, the database stopped for the
    load and started again (the local instance only). Later runs without --bulk add
    more files and skip the ones loaded.

    \b
    Example:
      tunegraph neo4j start
      tunegraph import mpd ~/data/mpd/data/mpd.slice.0-999.json ~/data/mpd/data
      tunegraph import mpd --bulk ~/data/mpd/data   # a first load, into an empty database
      tunegraph export --out export/
    """
    if bulk and force:
        raise click.UsageError("--force and --bulk do not go together: --bulk needs an empty graph")
    options: ImportSettings | BulkSettings = (
        BulkSettings(workers=workers or BulkSettings.workers)
        if bulk
        else ImportSettings(force=force, workers=workers or ImportSettings.workers)
    )
    with _BarReporter(progress) as reporter:
        summary = asyncio.run(import_mpd_files(neo4j, paths, options, reporter, _local_loader))
    _present(summary, bulk)


def _present(summary: ImportSummary, bulk: bool) -> None:
    """The closing line, a `rejected:` line per bad file, and an error when there were any."""
    click.echo(
        f"imported {len(summary.imported)} file(s), {summary.playlists:,} playlists, "
        f"{summary.rows:,} playlist-track rows in {summary.seconds:.1f} s "
        f"({summary.rows_per_second:,.0f} rows/s); "
        f"skipped {len(summary.skipped)} already imported; rejected {len(summary.failed)}"
    )
    for failed in summary.failed:
        click.echo(f"rejected: {failed.error}", err=True)
    refused = summary.refused
    for line in refused[:REFUSED_SHOWN]:
        click.echo(f"refused: {line}", err=True)
    if len(refused) > REFUSED_SHOWN:
        click.echo(f"refused: … and {len(refused) - REFUSED_SHOWN:,} more", err=True)
    if summary.failed:
        again = "import them without --bulk" if bulk else "run the command again"
        raise click.ClickException(
            f"{len(summary.failed)} of {len(summary.files)} file(s) rejected "
            f"({_names(summary.failed)}); fix them and {again} (imported files are skipped)"
        )
    if refused:
        raise click.ClickException(
            f"{len(refused):,} playlist(s) left out: their pid was imported from another "
            "file first (the rest of each file is imported)"
        )


def _names(failed: list[FileResult], shown: int = 5) -> str:
    """The rejected files' names for the closing line; the `rejected:` lines give the paths."""
    names = [Path(f.path).name for f in failed[:shown]]
    more = f" and {len(failed) - shown} more" if len(failed) > shown else ""
    return ", ".join(names) + more
