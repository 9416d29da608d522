"""Schema bootstrap: uniqueness constraints and crawl-state indexes, created idempotently.

Uniqueness constraints make every `MERGE` an index seek and make concurrent `MERGE`
from several crawler processes safe (no duplicate nodes).
"""

from __future__ import annotations

from tunegraph.graphstore.cypher import NODE_LABELS
from tunegraph.graphstore.driver import GraphStore

CONSTRAINTS: tuple[str, ...] = (
    *(
        f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
        for label in NODE_LABELS
    ),
    "CREATE CONSTRAINT import_file_id IF NOT EXISTS FOR (f:ImportFile) REQUIRE f.id IS UNIQUE",
    "CREATE CONSTRAINT crawl_id IF NOT EXISTS FOR (c:Crawl) REQUIRE c.id IS UNIQUE",
)

# The crawl frontier lives on Playlist nodes: workers look up work by state and order
# it by depth and discovery key, and reclaim expired leases.
INDEXES: tuple[str, ...] = (
    "CREATE INDEX playlist_crawl_state IF NOT EXISTS FOR (p:Playlist) ON (p.crawl_state)",
    "CREATE INDEX playlist_crawl_order IF NOT EXISTS "
    "FOR (p:Playlist) ON (p.crawl_depth, p.crawl_key)",
    "CREATE INDEX playlist_lease IF NOT EXISTS FOR (p:Playlist) ON (p.crawl_lease_until)",
    "CREATE INDEX playlist_source IF NOT EXISTS FOR (p:Playlist) ON (p.source)",
)

SCHEMA_STATEMENTS: tuple[str, ...] = (*CONSTRAINTS, *INDEXES)


async def ensure_schema(store: GraphStore) -> None:
    """Create what is missing and wait until every index is online; safe to run every start."""
    for statement in SCHEMA_STATEMENTS:
        await store.run(statement)
    await store.run("CALL db.awaitIndexes(300)")


async def describe_schema(store: GraphStore) -> dict[str, list[str]]:
    """Names of constraints and indexes, for tests and `status` output."""
    constraints = await store.run_read("SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name")
    indexes = await store.run_read("SHOW INDEXES YIELD name RETURN name ORDER BY name")
    return {
        "constraints": [row["name"] for row in constraints],
        "indexes": [row["name"] for row in indexes],
    }
