"""GraphStore's two small-query paths: `run_read` reads (and is refused a write), `run` writes."""

from __future__ import annotations

import asyncio

import pytest

from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.errors import QueryFailed
from tunegraph.graphstore.settings import Neo4jSettings


def test_run_read_reads_and_refuses_a_write(empty_graph: Neo4jSettings) -> None:
    async def main() -> None:
        async with GraphStore(empty_graph) as store:
            await store.run("CREATE (:User {id: 'written'})")
            rows = await store.run_read("MATCH (u:User) RETURN u.id AS id")
            assert rows == [{"id": "written"}]
            with pytest.raises(QueryFailed, match="read-only"):
                await store.run_read("CREATE (:User {id: 'refused'})")
            assert await store.run_read("MATCH (u:User) RETURN count(u) AS n") == [{"n": 1}]

    asyncio.run(main())
