"""Schema bootstrap and batched writes against the session's real Neo4j."""

from __future__ import annotations

import asyncio

from tunegraph.graphstore.cypher import NODE_LABELS
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.schema import describe_schema, ensure_schema
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.graphstore.writers import (
    GraphBatch,
    count_nodes,
    count_relationships,
    write_batch,
)


def small_crawl_batch() -> GraphBatch:
    batch = GraphBatch()
    batch.add_node("User", "u1", display_name="Ada")
    batch.add_node("Playlist", "p1", name="Morning", description="calm", snapshot_id="s1",
                   followers=3, source="crawl")  # fmt: skip
    batch.add_node("Playlist", "p2", name="Evening", source="crawl")
    for track, name in (("t1", "One"), ("t2", "Two"), ("t3", "Three")):
        batch.add_node("Track", track, name=name, duration_ms=1000, explicit=False)
    batch.add_node("Track", "t4", name="Four", popularity=None)  # absent, not null
    batch.add_node("Artist", "a1", name="Alpha")
    batch.add_node("Artist", "a2", name="Beta")
    batch.add_node("Album", "al1", name="First", release_date="2001-01-01")
    batch.add_relationship("OWNS", user_id="u1", playlist_id="p1")
    for position, track in enumerate(("t1", "t2", "t3")):
        batch.add_relationship("CONTAINS", playlist_id="p1", track_id=track, position=position,
                               added_at="2020-01-01T00:00:00Z")  # fmt: skip
    # the same track twice in one playlist: two CONTAINS relationships
    batch.add_relationship("CONTAINS", playlist_id="p2", track_id="t4", position=0, added_at=None)
    batch.add_relationship("CONTAINS", playlist_id="p2", track_id="t4", position=5, added_at=None)
    batch.add_relationship("BY", track_id="t1", artist_id="a1", position=0)
    batch.add_relationship("BY", track_id="t1", artist_id="a2", position=1)
    batch.add_relationship("BY", track_id="t2", artist_id="a2", position=0)
    batch.add_relationship("ON", track_id="t1", album_id="al1")
    batch.add_relationship("FOUND", artist_id="a1", playlist_id="p2", query="Alpha", rank=0)
    return batch


async def _write_twice_and_count(settings: Neo4jSettings) -> list[tuple[dict, dict]]:
    counts = []
    async with GraphStore(settings) as store:
        for _ in range(2):
            await write_batch(store, small_crawl_batch(), chunk_rows=2)
            counts.append((await count_nodes(store), await count_relationships(store)))
    return counts


def test_schema_bootstrap_is_idempotent(empty_graph: Neo4jSettings) -> None:
    async def go() -> tuple[dict, dict]:
        async with GraphStore(empty_graph) as store:
            first = await describe_schema(store)
            await ensure_schema(store)
            return first, await describe_schema(store)

    first, second = asyncio.run(go())
    assert first == second
    for label in NODE_LABELS:
        assert f"{label.lower()}_id" in first["constraints"]
    assert "playlist_crawl_state" in first["indexes"]


def test_same_batch_twice_leaves_same_counts(empty_graph: Neo4jSettings) -> None:
    (nodes1, rels1), (nodes2, rels2) = asyncio.run(_write_twice_and_count(empty_graph))
    assert nodes1 == nodes2 == {"Album": 1, "Artist": 2, "Playlist": 2, "Track": 4, "User": 1}
    assert rels1 == rels2 == {"BY": 3, "CONTAINS": 5, "FOUND": 1, "ON": 1, "OWNS": 1}


def test_relationships_land_between_the_right_nodes(empty_graph: Neo4jSettings) -> None:
    async def go() -> dict[str, list]:
        async with GraphStore(empty_graph) as store:
            await write_batch(store, small_crawl_batch())
            contains = await store.run(
                "MATCH (p:Playlist)-[r:CONTAINS]->(t:Track) "
                "RETURN p.id AS p, t.id AS t, r.position AS pos ORDER BY p, pos"
            )
            by = await store.run(
                "MATCH (t:Track)-[r:BY]->(a:Artist) RETURN t.id AS t, a.name AS a, "
                "r.position AS pos ORDER BY t, pos"
            )
            owner = await store.run(
                "MATCH (u:User)-[:OWNS]->(p) RETURN u.display_name AS u, p.name AS p"
            )
            found = await store.run(
                "MATCH (a)-[r:FOUND]->(p) RETURN a.id AS a, p.id AS p, r.query AS q"
            )
            props = await store.run("MATCH (t:Track {id: 't4'}) RETURN keys(t) AS keys")
            return {"contains": contains, "by": by, "owner": owner, "found": found, "props": props}

    got = asyncio.run(go())
    assert [(r["p"], r["t"], r["pos"]) for r in got["contains"]] == [
        ("p1", "t1", 0), ("p1", "t2", 1), ("p1", "t3", 2), ("p2", "t4", 0), ("p2", "t4", 5),
    ]  # fmt: skip
    assert [(r["t"], r["a"]) for r in got["by"]] == [
        ("t1", "Alpha"),
        ("t1", "Beta"),
        ("t2", "Beta"),
    ]
    assert got["owner"] == [{"u": "Ada", "p": "Morning"}]
    assert got["found"] == [{"a": "a1", "p": "p2", "q": "Alpha"}]
    assert "popularity" not in got["props"][0]["keys"]


def test_concurrent_writers_create_no_duplicates(empty_graph: Neo4jSettings) -> None:
    """Eight writers MERGE overlapping batches at once; the constraints keep one node per id."""

    async def go() -> tuple[dict, dict]:
        async with GraphStore(empty_graph) as store:
            await asyncio.gather(*(write_batch(store, small_crawl_batch()) for _ in range(8)))
            return await count_nodes(store), await count_relationships(store)

    nodes, rels = asyncio.run(go())
    assert nodes["Track"] == 4 and nodes["Playlist"] == 2
    assert rels["CONTAINS"] == 5
