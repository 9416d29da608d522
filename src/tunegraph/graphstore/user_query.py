"""`tunegraph query`: run a user's Cypher, read-only unless asked, into plain values."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Any

from neo4j.graph import Node, Path, Relationship

from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.errors import QueryFailed

LOAD_CSV_REFUSED = (
    "LOAD CSV is refused in a read-only query: it makes the Neo4j server fetch a URL or "
    "read a file; add --write if you mean it"
)


def to_plain(value: Any) -> Any:
    """Graph values become JSON-friendly dicts and lists; temporals become ISO strings."""
    if isinstance(value, Node):
        return {"labels": sorted(value.labels), **{k: to_plain(v) for k, v in value.items()}}
    if isinstance(value, Relationship):
        return {"type": value.type, **{k: to_plain(v) for k, v in value.items()}}
    if isinstance(value, Path):
        return [to_plain(node) for node in value.nodes]
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


async def user_query_rows(
    store: GraphStore,
    cypher: str,
    parameters: dict[str, Any],
    allow_write: bool,
    on_columns: Callable[[list[str]], None],
) -> AsyncGenerator[list[Any], None]:
    """The rows of a user's query as they arrive, so no result is held whole in memory.

    Read access mode unless writes are allowed, so a write is refused by Neo4j; so is
    ``LOAD CSV`` (found in the query's plan, whatever its spelling), which reads from the
    server's side. ``on_columns`` hears the column names before the first row.
    """
    if not allow_write and "LoadCSV" in await store.plan_operators(cypher, parameters):
        raise QueryFailed(LOAD_CSV_REFUSED)
    rows = store.stream_values(cypher, parameters, read_only=not allow_write, on_keys=on_columns)
    try:
        async for values in rows:
            yield [to_plain(value) for value in values]
    finally:
        await rows.aclose()
