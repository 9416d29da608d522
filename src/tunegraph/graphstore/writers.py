"""Batched, idempotent writes of the graph model.

Callers collect rows in a `GraphBatch` (nodes by label, relationships by type) and hand
it to `write_batch`, which sends each kind as `UNWIND $rows` chunks inside one
transaction. The transaction function only MERGEs, so the driver may retry it safely.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from neo4j import AsyncManagedTransaction

from tunegraph.graphstore.cypher import (
    COUNT_NODES,
    COUNT_RELATIONSHIPS,
    DELETE_ALL_BATCH,
    NODE_WRITES,
    RELATIONSHIP_WRITES,
)
from tunegraph.graphstore.driver import GraphStore

# Rows per UNWIND statement: larger chunks save round trips until throughput levels off,
# but hold their locks longer. benchmarks/ingest.py measures the curve (docs/benchmarks.md).
DEFAULT_CHUNK_ROWS = 2_000

Row = dict[str, Any]


@dataclass
class GraphBatch:
    """Rows waiting to be written; nodes are written before relationships."""

    nodes: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    relationships: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))

    def add_node(self, label: str, node_id: str, **props: Any) -> None:
        if label not in NODE_WRITES:
            raise ValueError(f"unknown node label {label!r}")
        self.nodes[label].append(
            {"id": node_id, "props": {k: v for k, v in props.items() if v is not None}}
        )

    def add_relationship(self, rel_type: str, **row: Any) -> None:
        if rel_type not in RELATIONSHIP_WRITES:
            raise ValueError(f"unknown relationship type {rel_type!r}")
        self.relationships[rel_type].append(row)

    def extend(self, other: GraphBatch) -> None:
        for label, rows in other.nodes.items():
            self.nodes[label].extend(rows)
        for rel_type, rows in other.relationships.items():
            self.relationships[rel_type].extend(rows)

    def __len__(self) -> int:
        return sum(map(len, self.nodes.values())) + sum(map(len, self.relationships.values()))

    def statements(self, chunk_rows: int) -> Iterator[tuple[str, list[Row]]]:
        for label, rows in self.nodes.items():
            for chunk in chunks(rows, chunk_rows):
                yield NODE_WRITES[label], chunk
        for rel_type, rows in self.relationships.items():
            for chunk in chunks(rows, chunk_rows):
                yield RELATIONSHIP_WRITES[rel_type], chunk


def chunks(rows: list[Row], size: int) -> Iterator[list[Row]]:
    """Consecutive slices of at most ``size`` rows: one UNWIND statement or transaction each."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def write_batch(
    store: GraphStore, batch: GraphBatch, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> int:
    """Write every row of the batch in one transaction; returns the number of rows."""
    if not len(batch):
        return 0
    statements = list(batch.statements(chunk_rows))

    async def work(tx: AsyncManagedTransaction) -> None:
        for cypher, rows in statements:
            result = await tx.run(cypher, rows=rows)
            await result.consume()

    await store.write(work)
    return len(batch)


async def count_nodes(store: GraphStore) -> dict[str, int]:
    return {row["label"]: row["count"] for row in await store.run_read(COUNT_NODES)}


async def count_relationships(store: GraphStore) -> dict[str, int]:
    return {row["type"]: row["count"] for row in await store.run_read(COUNT_RELATIONSHIPS)}


async def clear_graph(store: GraphStore, batch: int = 10_000) -> None:
    """Delete every node in bounded transactions (a test or benchmark's fresh start)."""
    while (await store.run(DELETE_ALL_BATCH, limit=batch))[0]["deleted"]:
        pass
