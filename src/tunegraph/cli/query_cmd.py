"""`tunegraph query CYPHER`: ask the graph a question from the shell."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from tunegraph.cli.common import neo4j_options, neo4j_settings, run_async
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.user_query import QueryResult, run_user_query


def parse_param(text: str) -> tuple[str, Any]:
    """NAME=VALUE; VALUE is JSON when it parses as JSON, else a string."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip().isidentifier():
        raise click.BadParameter(f"{text!r} is not NAME=VALUE", param_hint="--param")
    try:
        return name.strip(), json.loads(raw)
    except json.JSONDecodeError:
        return name.strip(), raw


def _cell(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def render(result: QueryResult, fmt: str) -> str:
    if fmt == "json":
        rows = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
        return json.dumps(rows, indent=2, default=str)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([_cell(v) for v in row] for row in result.rows)
        return buffer.getvalue().rstrip("\n")
    table = Table(*result.columns, show_lines=False)
    for row in result.rows:
        table.add_row(*(_cell(v) for v in row))
    console = Console(file=io.StringIO(), width=160, color_system=None)
    console.print(table)
    return console.file.getvalue().rstrip("\n")  # type: ignore[attr-defined]


@click.command()
@click.argument("cypher")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help='Query parameter, repeatable; JSON values allowed (-p ids=\'["a","b"]\').',
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option("--write", is_flag=True, help="Allow the query to change the graph.")
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=10_000,
    show_default=True,
    help="Print at most this many rows.",
)
@neo4j_options
def query(
    cypher: str, params: tuple[str, ...], fmt: str, write: bool, limit: int,
    uri: str, user: str, password: str | None, database: str | None,
) -> None:  # fmt: skip
    """Run CYPHER against the graph; read-only unless --write.

    \b
    Examples:
      tunegraph query "MATCH (p:Playlist) RETURN count(p) AS playlists"
      tunegraph query "MATCH (a:Artist {name: $name})-[:FOUND]->(p) RETURN p.name" -p name='"Abba"'
      tunegraph query "MATCH (t:Track) RETURN t.name, t.popularity LIMIT 5" --format csv
    """
    parameters = dict(parse_param(text) for text in params)
    settings = neo4j_settings(uri, user, password, database)

    async def go() -> QueryResult:
        async with GraphStore(settings) as store:
            return await run_user_query(store, cypher, parameters, write, limit)

    click.echo(render(run_async(go()), fmt))
