"""`tunegraph export --out DIR`: interactions and track features from the graph, as Parquet."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console

from tunegraph import export_format as F
from tunegraph.cli.common import neo4j_options
from tunegraph.cli.errors import cli_errors
from tunegraph.graphstore.export import ExportSettings, export_graph
from tunegraph.graphstore.settings import Neo4jSettings


def _progress(show: bool) -> Callable[[str, int], None]:
    """The export's progress, a line a table step on stderr (``--no-progress``: none)."""
    console = Console(stderr=True)

    def progress(table: str, rows: int) -> None:
        if show:
            console.print(f"  {table}: {rows:,} rows", highlight=False)

    return progress


@click.command("export")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Directory to write (replaced whole if it holds an earlier export and nothing else).",
)
@click.option(
    "--query-entity",
    type=click.Choice(F.QUERY_ENTITIES),
    default="playlist",
    show_default=True,
    help="What a query is: the playlist, or its owner (skips playlists without an owner, "
    "such as MPD imports).",
)
@click.option(
    "--shard-rows",
    type=click.IntRange(1000),
    default=1_000_000,
    show_default=True,
    help="Interactions per Parquet part file.",
)
@click.option("--progress/--no-progress", default=True, help="Print progress on stderr.")
@neo4j_options
@cli_errors
def export_cmd(
    out_dir: Path,
    query_entity: str,
    shard_rows: int,
    progress: bool,
    neo4j: Neo4jSettings,
) -> None:
    """Export (query, track) interactions, track features and vocabularies for training.

    Writes DIR/interactions/part-*.parquet, tracks.parquet, playlists.parquet,
    vocab/*.txt and manifest.json, the layout `tunegraph train --data DIR` reads.

    \b
    Example:
      tunegraph export --out export/ --query-entity playlist
      tunegraph train --data export/ --out model/
    """
    options = ExportSettings(out_dir=out_dir, query_entity=query_entity, shard_rows=shard_rows)
    result = asyncio.run(export_graph(neo4j, options, _progress(progress)))
    click.echo(
        f"exported {result.interactions:,} interactions of {result.playlists:,} playlists and "
        f"{result.tracks:,} tracks to {result.out_dir} in {result.seconds:.1f} s "
        f"({result.rows_per_second:,.0f} rows/s, {result.shards} part file(s), "
        f"checksum {result.graph_checksum})"
    )
    if result.skipped_playlists:
        click.echo(
            f"skipped {result.skipped_playlists:,} playlist(s) without tracks"
            + (" or without an owner" if query_entity == "owner" else ""),
            err=True,
        )
