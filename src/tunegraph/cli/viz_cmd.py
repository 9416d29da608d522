"""`tunegraph viz crawl`: the crawl graph as a picture."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from tunegraph.cli.common import neo4j_options
from tunegraph.cli.errors import cli_errors
from tunegraph.graphstore.crawl_view import CrawlView, read_crawl_view
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.settings import Neo4jSettings


@click.group()
def viz() -> None:
    """Draw pictures of the graph.

    \b
    Example:
      tunegraph viz crawl --out out/crawl.png
    """


@viz.command("crawl")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="PNG file to write.",
)
@click.option(
    "--max-playlists",
    type=click.IntRange(1),
    default=120,
    show_default=True,
    help="Draw the first N playlists in breadth-first order (a sample beyond).",
)
@click.option(
    "--max-artists",
    type=click.IntRange(1),
    default=200,
    show_default=True,
    help="Artists drawn at most (those whose searches found playlists first).",
)
@neo4j_options
@cli_errors
def crawl(
    out: Path, max_playlists: int, max_artists: int,
    neo4j: Neo4jSettings,
) -> None:  # fmt: skip
    """Draw playlists and artists of the crawl, laid out by breadth-first depth from the seed.

    \b
    Example:
      tunegraph viz crawl --out out/crawl.png --max-playlists 200
    """
    from tunegraph.viz.crawl_plot import draw_crawl  # matplotlib only when drawing

    async def go() -> CrawlView:
        async with GraphStore(neo4j) as store:
            return await read_crawl_view(store, max_playlists)

    summary = draw_crawl(asyncio.run(go()), out, max_artists=max_artists)
    click.echo(
        f"wrote {out}: {summary.playlists} playlists (of {summary.total_playlists}), "
        f"{summary.artists} artists, {summary.edges} edges, depth 0–{summary.depth}"
    )
