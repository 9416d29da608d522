"""The crawl frontier in Neo4j: every query that reads or moves crawl state.

State lives on Playlist nodes (``crawl_id``, ``crawl_state`` in queued / claimed /
done / failed / inaccessible, ``crawl_depth``, ``crawl_key``, ``crawl_owner``,
``crawl_lease_until``) and on one Crawl node holding the crawl's parameters.

Order and reproducibility: a playlist's key is its discoverer's key plus the fixed-width
(artist index, search rank) that found it, and the smallest key wins. Work is handed
out one depth at a time (a level barrier): depth d+1 opens only when every depth-d
playlist is finished, so depths and keys are final before anything of that level is
claimed, and ``max_playlists`` cuts the (depth, key) order at the same place whatever
the timing, the faults or the restarts.

Atomic claims: a claim's transaction first *writes* the Crawl node (taking its lock),
then reads; claims from any number of processes are therefore serialised, and no
playlist is handed out twice while its lease runs. Expired leases return to the queue.
Completion (graph rows, children, done state) is one transaction that also takes the
Crawl lock, so a crash never leaves a playlist done without its data and no claim
sees a completion half-applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from neo4j import AsyncManagedTransaction, Record

from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.writers import DEFAULT_CHUNK_ROWS, GraphBatch

QUEUED, CLAIMED, DONE, FAILED, INACCESSIBLE = "queued", "claimed", "done", "failed", "inaccessible"
UNLIMITED = 2**62

START_CRAWL = (
    "MERGE (c:Crawl {id: $crawl}) "
    "ON CREATE SET c += $params, c.created_at = timestamp(), c.claims = 0 "
    "SET c.last_started_at = timestamp(), c.state = 'running'"
)

# A playlist new to this crawl (or left by another crawl) is (re)queued; one already in
# it keeps its state, and only a queued one takes a smaller (depth, key).
ENQUEUE = (
    "UNWIND $rows AS row "
    "MERGE (p:Playlist {id: row.id}) "
    "WITH p, row, (p.crawl_id IS NULL OR p.crawl_id <> $crawl) AS fresh "
    "WHERE fresh OR (p.crawl_state = 'queued' AND (p.crawl_depth > row.depth OR "
    "  (p.crawl_depth = row.depth AND p.crawl_key > row.key))) "
    "SET p.crawl_id = $crawl, p.crawl_depth = row.depth, p.crawl_key = row.key, "
    "  p.crawl_state = CASE WHEN fresh THEN 'queued' ELSE p.crawl_state END, "
    "  p.crawl_attempts = CASE WHEN fresh THEN 0 ELSE p.crawl_attempts END"
)

LOCK_CRAWL = (
    "MATCH (c:Crawl {id: $crawl}) SET c.claims = coalesce(c.claims, 0) + 1 "
    "RETURN c.max_playlists AS cap"
)
EXPIRE_LEASES = (
    "MATCH (p:Playlist {crawl_state: 'claimed'}) "
    "WHERE p.crawl_id = $crawl AND p.crawl_lease_until < timestamp() "
    "SET p.crawl_state = 'queued', p.crawl_owner = null, p.crawl_lease_until = null "
    "RETURN count(p) AS expired"
)
ACTIVE_DEPTH = (
    "MATCH (p:Playlist) WHERE p.crawl_state IN ['queued', 'claimed'] AND p.crawl_id = $crawl "
    "RETURN min(p.crawl_depth) AS depth"
)
COUNT_BEFORE = (
    "MATCH (p:Playlist) WHERE p.crawl_depth < $depth AND p.crawl_id = $crawl RETURN count(p) AS n"
)
IN_SCOPE = (
    "MATCH (p:Playlist) WHERE p.crawl_depth = $depth AND p.crawl_id = $crawl "
    "WITH p ORDER BY p.crawl_key LIMIT $allowed "
    "WITH collect(p) AS scope "
    "RETURN [x IN scope WHERE x.crawl_state = 'queued' | x.id][0..$n] AS next, "
    "  size([x IN scope WHERE x.crawl_state = 'claimed']) AS busy"
)
TAKE = (
    "UNWIND $ids AS id MATCH (p:Playlist {id: id}) "
    "SET p.crawl_state = 'claimed', p.crawl_owner = $owner, "
    "  p.crawl_lease_until = timestamp() + $lease_ms, "
    "  p.crawl_attempts = coalesce(p.crawl_attempts, 0) + 1 "
    "RETURN p.id AS id, p.crawl_depth AS depth, p.crawl_key AS key ORDER BY key"
)
FINISH = (
    "UNWIND $rows AS row "
    "MATCH (p:Playlist {id: row.id}) WHERE p.crawl_id = $crawl "
    "SET p.crawl_state = row.state, p.crawl_reason = row.reason, p.crawl_error = row.error, "
    "  p.crawl_owner = null, p.crawl_lease_until = null, p.crawl_finished_at = timestamp()"
)
RELEASE = (
    "MATCH (p:Playlist {crawl_state: 'claimed'}) "
    "WHERE p.crawl_id = $crawl AND p.crawl_owner = $owner "
    "SET p.crawl_state = 'queued', p.crawl_owner = null, p.crawl_lease_until = null, "
    "  p.crawl_attempts = p.crawl_attempts - 1 "
    "RETURN count(p) AS released"
)
RENEW = (
    "MATCH (p:Playlist {crawl_state: 'claimed'}) "
    "WHERE p.crawl_id = $crawl AND p.crawl_owner = $owner "
    "SET p.crawl_lease_until = timestamp() + $lease_ms RETURN count(p) AS renewed"
)
PROGRESS = (
    "MATCH (p:Playlist) WHERE p.crawl_id = $crawl RETURN p.crawl_state AS state, count(p) AS n"
)
END_CRAWL = "MATCH (c:Crawl {id: $crawl}) SET c.state = $state, c += $summary"
UNCHECKED_TRACKS = (
    "MATCH (:Playlist {crawl_id: $crawl})-[:CONTAINS]->(t:Track) "
    "WHERE t.audio_features_checked IS NULL AND t.id > $after "
    "RETURN DISTINCT t.id AS id ORDER BY id LIMIT $limit"
)
INACCESSIBLE_REASONS = (
    "MATCH (p:Playlist {crawl_state: 'inaccessible'}) WHERE p.crawl_id = $crawl "
    "RETURN p.crawl_reason AS reason, count(p) AS n ORDER BY reason"
)


@dataclass(frozen=True)
class Claim:
    playlist_id: str
    depth: int
    key: str


@dataclass(frozen=True)
class Wait:
    """Nothing claimable now, but others hold claims that may open more work."""


@dataclass(frozen=True)
class Finished:
    """The frontier is exhausted, or the playlist cap is reached."""

    expired: int = 0


def seed_key(index: int) -> str:
    return f"{index:04d}"


def child_key(parent_key: str, artist_index: int, rank: int) -> str:
    """Fixed-width parts keep string order equal to (parent, artist, rank) order."""
    return f"{parent_key}.{artist_index:04d}{rank:05d}"


async def start_crawl(
    store: GraphStore, crawl_id: str, params: dict[str, Any], seeds: list[str]
) -> None:
    rows = [{"id": s, "depth": 0, "key": seed_key(i)} for i, s in enumerate(seeds)]
    clean = {k: v for k, v in params.items() if v is not None}

    async def work(tx: AsyncManagedTransaction) -> None:
        await (await tx.run(START_CRAWL, crawl=crawl_id, params=clean)).consume()
        await (await tx.run(ENQUEUE, crawl=crawl_id, rows=rows)).consume()

    await store.write(work)


async def _one_row(tx: AsyncManagedTransaction, cypher: str, **parameters: Any) -> Record:
    """The single row of an aggregating query (it always has one; the driver checks)."""
    return await (await tx.run(cypher, parameters)).single(strict=True)


async def claim(
    store: GraphStore, crawl_id: str, owner: str, lease_s: float, n: int = 1
) -> list[Claim] | Wait | Finished:
    """Up to ``n`` next playlists of the open level, in (depth, key) order, within the cap."""

    async def work(tx: AsyncManagedTransaction) -> list[Claim] | Wait | Finished:
        locked = await (await tx.run(LOCK_CRAWL, crawl=crawl_id)).single()
        if locked is None:
            return Finished()
        cap = locked["cap"] if locked["cap"] is not None else UNLIMITED
        expired = (await _one_row(tx, EXPIRE_LEASES, crawl=crawl_id))["expired"]
        depth = (await _one_row(tx, ACTIVE_DEPTH, crawl=crawl_id))["depth"]
        if depth is None:
            return Finished(expired)
        before = (await _one_row(tx, COUNT_BEFORE, crawl=crawl_id, depth=depth))["n"]
        allowed = cap - before
        if allowed <= 0:
            return Finished(expired)
        scope = await _one_row(tx, IN_SCOPE, crawl=crawl_id, depth=depth, allowed=allowed, n=n)
        if not scope["next"]:
            return Wait() if scope["busy"] else Finished(expired)
        result = await tx.run(TAKE, ids=scope["next"], owner=owner, lease_ms=int(lease_s * 1000))
        return [Claim(r["id"], r["depth"], r["key"]) async for r in result]

    return await store.write(work)


def best_children(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per playlist id: the smallest (depth, key)."""
    best: dict[str, dict[str, Any]] = {}
    for row in rows:
        old = best.get(row["id"])
        if old is None or (row["depth"], row["key"]) < (old["depth"], old["key"]):
            best[row["id"]] = row
    return sorted(best.values(), key=lambda r: (r["depth"], r["key"]))


async def complete(
    store: GraphStore,
    crawl_id: str,
    batch: GraphBatch,
    children: list[dict[str, Any]],
    finished: list[dict[str, Any]],
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> None:
    """Graph rows, newly found playlists and finished states, in one idempotent transaction.

    ``children`` rows: {id, depth, key}; ``finished`` rows: {id, state, reason, error}.
    """
    statements = list(batch.statements(chunk_rows))
    children = best_children(children)

    async def work(tx: AsyncManagedTransaction) -> None:
        # The Crawl node's lock first, as claims take it: no claim reads a half-applied
        # completion, and one lock order (Crawl, then playlists) leaves no deadlock cycle.
        await (await tx.run(LOCK_CRAWL, crawl=crawl_id)).consume()
        for cypher, rows in statements:
            await (await tx.run(cypher, rows=rows)).consume()
        for start in range(0, len(children), chunk_rows):
            chunk = children[start : start + chunk_rows]
            await (await tx.run(ENQUEUE, crawl=crawl_id, rows=chunk)).consume()
        if finished:
            await (await tx.run(FINISH, crawl=crawl_id, rows=finished)).consume()

    await store.write(work)


async def release(store: GraphStore, crawl_id: str, owner: str) -> int:
    """Return every claim this owner still holds to the queue (graceful stop)."""
    rows = await store.run(RELEASE, crawl=crawl_id, owner=owner)
    return rows[0]["released"]


async def renew(store: GraphStore, crawl_id: str, owner: str, lease_s: float) -> int:
    rows = await store.run(RENEW, crawl=crawl_id, owner=owner, lease_ms=int(lease_s * 1000))
    return rows[0]["renewed"]


async def progress(store: GraphStore, crawl_id: str) -> dict[str, int]:
    rows = await store.run_read(PROGRESS, crawl=crawl_id)
    return {row["state"]: row["n"] for row in rows}


async def inaccessible_reasons(store: GraphStore, crawl_id: str) -> dict[str, int]:
    return {
        row["reason"] or "": row["n"]
        for row in await store.run_read(INACCESSIBLE_REASONS, crawl=crawl_id)
    }


async def end_crawl(store: GraphStore, crawl_id: str, state: str, summary: dict[str, Any]) -> None:
    flat = {k: v for k, v in summary.items() if isinstance(v, str | int | float | bool)}
    await store.run(END_CRAWL, crawl=crawl_id, state=state, summary=flat)


async def unchecked_tracks(store: GraphStore, crawl_id: str, after: str, limit: int) -> list[str]:
    """Tracks of this crawl whose audio features were not asked for yet, by id."""
    rows = await store.run_read(UNCHECKED_TRACKS, crawl=crawl_id, after=after, limit=limit)
    return [row["id"] for row in rows]
