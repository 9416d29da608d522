"""`tunegraph query CYPHER`: ask the graph a question from the shell."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import click

from tunegraph.cli.common import neo4j_options
from tunegraph.cli.errors import cli_errors
from tunegraph.cli.query_output import PRINTERS, TABLE_ROW_CAP, RowPrinter
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.graphstore.user_query import user_query_rows

INT64 = range(-(2**63), 2**63)


def _check_integers(name: str, value: Any) -> None:
    """Neo4j integers are 64-bit; a bigger one would fail deep in the driver."""
    if isinstance(value, bool):
        return
    if isinstance(value, int) and value not in INT64:
        raise click.ClickException(
            f"--param {name}: {value} does not fit a 64-bit integer; pass a string "
            f"(-p '{name}=\"…\"') or a float (with a decimal point) instead"
        )
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in items:
        _check_integers(name, item)


def parse_param(text: str) -> tuple[str, Any]:
    """NAME=VALUE; VALUE is JSON when it parses as JSON, else a string."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip().isidentifier():
        raise click.BadParameter(f"{text!r} is not NAME=VALUE", param_hint="--param")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return name.strip(), raw
    _check_integers(name.strip(), value)
    return name.strip(), value


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
    type=click.Choice(list(PRINTERS)),
    default="table",
    show_default=True,
    help="csv, json (one array) and jsonl (one object a line) stream every row; "
    f"table shows at most {TABLE_ROW_CAP:,} unless --limit says otherwise.",
)
@click.option("--write", is_flag=True, help="Allow the query to change the graph.")
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=None,
    help=f"Print at most this many rows [default: all; {TABLE_ROW_CAP:,} for the table].",
)
@neo4j_options
@cli_errors
def query(
    cypher: str, params: tuple[str, ...], fmt: str, write: bool, limit: int | None,
    neo4j: Neo4jSettings,
) -> None:  # fmt: skip
    """Run CYPHER against the graph; read-only unless --write.

    \b
    Examples:
      tunegraph query "MATCH (p:Playlist) RETURN count(p) AS playlists"
      tunegraph query 'MATCH (a:Artist {name: $name})-[:FOUND]->(p) RETURN p.name' -p name='"Abba"'
      tunegraph query "MATCH (t:Track) RETURN t.name, t.popularity LIMIT 5" --format csv
    """
    parameters = dict(parse_param(text) for text in params)
    cap = limit if limit is not None else TABLE_ROW_CAP if fmt == "table" else None
    printer = PRINTERS[fmt]()

    async def go() -> tuple[int, bool]:
        async with GraphStore(neo4j) as store:
            return await print_rows(store, cypher, parameters, write, printer, cap)

    shown, more = asyncio.run(go())
    printer.end()
    if more:
        why = "--limit" if limit is not None else "the table's cap; --limit N shows more"
        click.echo(
            f"note: stopped after {shown:,} rows ({why}); "
            "--format csv, json or jsonl stream every row",
            err=True,
        )


async def print_rows(
    store: GraphStore,
    cypher: str,
    parameters: dict[str, Any],
    write: bool,
    printer: RowPrinter,
    cap: int | None,
) -> tuple[int, bool]:
    """Hand rows to ``printer`` as they arrive; returns how many and whether more were left."""
    shown = 0
    rows = user_query_rows(store, cypher, parameters, write, printer.columns)
    async with contextlib.aclosing(rows):
        async for row in rows:
            if cap is not None and shown >= cap:
                return shown, True
            printer.row(row)
            shown += 1
    return shown, False
