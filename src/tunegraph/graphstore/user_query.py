"""`tunegraph query`: run a user's Cypher, read-only unless asked, into plain values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neo4j import AsyncManagedTransaction
from neo4j.graph import Node, Path, Relationship

from tunegraph.graphstore.driver import GraphStore


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[list[Any]]


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


async def run_user_query(
    store: GraphStore, cypher: str, parameters: dict[str, Any], allow_write: bool, limit: int
) -> QueryResult:
    """Run in a read transaction unless writes are allowed, so a write is refused by Neo4j."""

    async def work(tx: AsyncManagedTransaction) -> QueryResult:
        result = await tx.run(cypher, parameters)
        columns = list(result.keys())
        rows = []
        async for record in result:
            if len(rows) >= limit:
                break
            rows.append([to_plain(value) for value in record.values()])
        await result.consume()
        return QueryResult(columns, rows)

    return await (store.write(work) if allow_write else store.read(work))
