"""The `tunegraph` command: a thin shell that registers each part's commands."""

from __future__ import annotations

import os

import click

from tunegraph import __version__
from tunegraph.cli.common import SafeErrorsGroup
from tunegraph.cli.crawl_cmd import crawl_cmd
from tunegraph.cli.demo_cmd import demo_cmd
from tunegraph.cli.export_cmd import export_cmd
from tunegraph.cli.import_cmd import import_group
from tunegraph.cli.logs import quiet_library_logs
from tunegraph.cli.model_cmds import evaluate_cmd, recommend_cmd, train_cmd
from tunegraph.cli.neo4j_cmd import neo4j
from tunegraph.cli.query_cmd import query
from tunegraph.cli.serve_cmd import serve_cmd
from tunegraph.cli.simulator_cmd import simulator
from tunegraph.cli.viz_cmd import viz


@click.group(
    cls=SafeErrorsGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="tunegraph")
def cli() -> None:
    """Crawl music playlists into a Neo4j graph and learn to recommend tracks from it.

    \b
    Example:
      tunegraph neo4j start && tunegraph query "MATCH (p:Playlist) RETURN count(p) AS n"
    """


cli.add_command(neo4j)
cli.add_command(query)
cli.add_command(crawl_cmd)
cli.add_command(simulator)
cli.add_command(train_cmd)
cli.add_command(evaluate_cmd)
cli.add_command(recommend_cmd)
cli.add_command(viz)
cli.add_command(demo_cmd)
cli.add_command(import_group)
cli.add_command(export_cmd)
cli.add_command(serve_cmd)


def main() -> None:
    """The console script: library log settings first (TF reads its own before it loads)."""
    quiet_library_logs(os.environ)
    cli()
