"""The export's read side: its Cypher, keyset-paged, with the next page fetched ahead.

Every query is keyset-paged (``WHERE id > $after … ORDER BY id LIMIT $page``, an index
range scan on the uniqueness constraint) and streamed, so Neo4j and the exporter hold
one page at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from neo4j import AsyncManagedTransaction

from tunegraph import export_format as F
from tunegraph.graphstore.driver import GraphStore

Page = list[list[Any]]


# What each row of a page holds, in order: rows come back as lists, not maps, so the
# driver does not decode every column name again for every row
INTERACTION_ROW = (*F.column_names(F.INTERACTION_COLUMNS), "name", "owner_id")
TRACK_ROW = tuple(F.column_names(F.TRACK_COLUMNS))


def _collect_rows(columns: tuple[str, ...], key: str, when: str = "") -> str:
    """``RETURN collect([c, …]) AS rows, max(key) AS last``: a whole page in one record.

    The async driver spends ~0.1-0.3 ms per record here, so one record per page is an
    order of magnitude faster than one record per row; ``collect`` of a list keeps rows
    whose values are null.
    """
    row = "[" + ", ".join(columns) + "]"
    if when:
        row = f"CASE WHEN {when} THEN {row} END"  # collect() skips the nulls
    return f"RETURN collect({row}) AS rows, max({key}) AS last, count(*) AS scanned"


# One row per playlist of the page: its query entity and its tracks in position order.
# query_id, playlist_id, track_id and position are the contract's interaction columns
# (track_id and position as aligned lists); name and owner_id feed playlists.parquet.
# A missing position sorts last and is replaced by its rank; positions that are just
# 0, 1, 2, … (all of an MPD import's) come back as null, which means exactly that.
INTERACTIONS_QUERY = (
    """
MATCH (p:Playlist) WHERE p.id > $after
WITH p ORDER BY p.id LIMIT $page
CALL (p) {
  OPTIONAL MATCH (u:User)-[:OWNS]->(p)
  RETURN min(u.id) AS owner_id
}
CALL (p) {
  MATCH (p)-[r:CONTAINS]->(t:Track)
  WITH r, t ORDER BY coalesce(r.position, 2147483647), t.id
  WITH collect(t.id) AS track_id, collect(coalesce(r.position, -1)) AS position
  RETURN track_id,
         CASE WHEN position = range(0, size(position) - 1) THEN null ELSE position END AS position
}
WITH CASE $query_entity WHEN 'owner' THEN owner_id ELSE p.id END AS query_id,
     p.id AS playlist_id, track_id, position, p.name AS name, owner_id
"""
    + _collect_rows(INTERACTION_ROW, "playlist_id")
).strip()

# One row per track that sits in a playlist, with exactly features.TRACK_COLUMNS.
# Artists in credit order (BY.position); absent popularity and audio features stay null
# and their masks say so. Tracks in no playlist are paged over but not returned.
TRACKS_QUERY = (
    """
MATCH (t:Track) WHERE t.id > $after
WITH t ORDER BY t.id LIMIT $page
CALL (t) {
  OPTIONAL MATCH (t)-[b:BY]->(a:Artist)
  WITH a, b ORDER BY coalesce(b.position, 2147483647), a.id
  RETURN collect(a.id) AS artist_ids, collect(coalesce(a.name, a.id)) AS artist_names
}
CALL (t) {
  OPTIONAL MATCH (t)-[:ON]->(al:Album)
  RETURN min(al.id) AS album_id
}
WITH EXISTS { (:Playlist)-[:CONTAINS]->(t) } AS used, t.id AS track_id, t.name AS track_name,
     artist_ids, artist_names, album_id,
     toFloat(t.popularity) AS popularity, t.popularity IS NOT NULL AS has_popularity,
"""
    + "".join(f"     toFloat(t.{name}) AS {name},\n" for name in F.AUDIO_FEATURES)
    + "     "
    + " AND ".join(f"t.{name} IS NOT NULL" for name in F.AUDIO_FEATURES)
    + " AS has_audio_features\n"
    + _collect_rows(TRACK_ROW, "track_id", when="used")
).strip()


async def pages(
    store: GraphStore, cypher: str, params: dict[str, Any], key_column: int, page: int
) -> AsyncIterator[Page]:
    """Keyset pages of ``cypher``'s rows, each page one read transaction, sorted by the
    row's key (its ``key_column``)."""
    after = ""
    while True:

        async def work(tx: AsyncManagedTransaction, after: str = after) -> Any:
            result = await tx.run(cypher, {**params, "after": after, "page": page})
            record = await result.single(strict=True)
            return record["rows"], record["last"], record["scanned"]

        rows, last, scanned = await store.read(work)
        if rows:
            yield sorted(rows, key=lambda row: row[key_column])
        if last is None or scanned < page:
            return
        after = last


async def prefetched(pages: AsyncIterator[Page], depth: int = 2) -> AsyncIterator[Page]:
    """The next pages are fetched while the caller works on this one, so Neo4j's work on
    a page overlaps ours on the one before."""
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue(maxsize=depth)

    async def pump() -> None:
        try:
            async for page in pages:
                await queue.put(("page", page))
        except Exception as exc:  # handed to the consumer, raised there
            await queue.put(("error", exc))
            return
        await queue.put(("end", None))

    task = asyncio.create_task(pump())
    try:
        while True:
            kind, item = await queue.get()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
