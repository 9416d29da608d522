"""The frontier's transactions: start a crawl, claim, complete, release, renew, count.

Atomic claims: a claim's transaction first *writes* the Crawl node (taking its lock),
then reads; claims from any number of processes are therefore serialised, and no
playlist is handed out twice while its lease runs. Expired leases return to the queue.
Completion (graph rows, children, done state) is one transaction that also takes the
Crawl lock, so a crash never leaves a playlist done without its data and no claim
sees a completion half-applied.
"""

from __future__ import annotations

from typing import Any

from neo4j import AsyncManagedTransaction, Record

from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.frontier.queries import (
    ACTIVE_DEPTH,
    COUNT_BEFORE,
    END_CRAWL,
    ENQUEUE,
    EXPIRE_LEASES,
    FINISH,
    IN_SCOPE,
    INACCESSIBLE_REASONS,
    LOCK_CRAWL,
    PROGRESS,
    RELEASE,
    RENEW,
    START_CRAWL,
    TAKE,
    UNCHECKED_TRACKS,
)
from tunegraph.graphstore.frontier.state import (
    UNLIMITED,
    Claim,
    Finished,
    Wait,
    best_children,
    seed_key,
)
from tunegraph.graphstore.writers import DEFAULT_CHUNK_ROWS, GraphBatch


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
