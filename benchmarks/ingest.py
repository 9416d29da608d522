"""Batched UNWIND writes versus row-by-row MERGE, on crawl-shaped data, into a fresh Neo4j.

    .venv/bin/python benchmarks/ingest.py [--playlists 2000] [--tracks 20000]

Prints relationship rows per second for each path and their ratio, plus batched
throughput for several chunk sizes (how DEFAULT_CHUNK_ROWS was chosen), each measured
after one unmeasured warm-up pass. The row-by-row
path writes a prefix of the same rows (it is slow); rates are per row, so they compare.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _neo4j import fresh_neo4j
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.schema import ensure_schema
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.graphstore.writers import (
    DEFAULT_CHUNK_ROWS,
    GraphBatch,
    clear_graph,
    count_relationships,
    write_batch,
)


def crawl_shaped(playlists: int, tracks: int, per_playlist: int, seed: int = 1) -> GraphBatch:
    """Users own playlists of tracks by artists on albums, as a crawl writes them."""
    rng = random.Random(seed)
    batch = GraphBatch()
    artists = max(tracks // 5, 1)
    albums = max(tracks // 3, 1)
    for a in range(artists):
        batch.add_node("Artist", f"ar{a}", name=f"Artist {a}")
    for al in range(albums):
        batch.add_node("Album", f"al{al}", name=f"Album {al}", release_date="2020-01-01")
    for t in range(tracks):
        batch.add_node("Track", f"t{t}", name=f"Track {t}", duration_ms=180_000, explicit=False)
        batch.add_relationship("BY", track_id=f"t{t}", artist_id=f"ar{t % artists}", position=0)
        batch.add_relationship("ON", track_id=f"t{t}", album_id=f"al{t % albums}")
    for p in range(playlists):
        user = f"u{p % max(playlists // 4, 1)}"
        batch.add_node("User", user, display_name=f"User {user}")
        batch.add_node("Playlist", f"p{p}", name=f"Playlist {p}", source="bench")
        batch.add_relationship("OWNS", user_id=user, playlist_id=f"p{p}")
        for position, t in enumerate(rng.sample(range(tracks), per_playlist)):
            batch.add_relationship("CONTAINS", playlist_id=f"p{p}", track_id=f"t{t}",
                                   position=position, added_at="2024-01-01T00:00:00Z")  # fmt: skip
    return batch


def relationship_rows(batch: GraphBatch) -> int:
    return sum(len(rows) for rows in batch.relationships.values())


def prefix(batch: GraphBatch, fraction: float) -> GraphBatch:
    """The same kinds of rows, a fraction of each."""
    part = GraphBatch()
    for label, rows in batch.nodes.items():
        part.nodes[label] = rows[: max(1, int(len(rows) * fraction))]
    for rel_type, rows in batch.relationships.items():
        part.relationships[rel_type] = rows[: max(1, int(len(rows) * fraction))]
    return part


async def batched(store: GraphStore, batch: GraphBatch, chunk_rows: int) -> float:
    """Write in transactions of ~10 chunks, as the crawler's and importer's flushes do."""
    began = time.perf_counter()
    step = chunk_rows * 10
    for kind_rows in (batch.nodes, batch.relationships):
        for kind, rows in kind_rows.items():
            for start in range(0, len(rows), step):
                part = GraphBatch()
                target = part.nodes if kind_rows is batch.nodes else part.relationships
                target[kind] = rows[start : start + step]
                await write_batch(store, part, chunk_rows=chunk_rows)
    return time.perf_counter() - began


async def row_by_row(store: GraphStore, batch: GraphBatch) -> float:
    """One MERGE, one transaction, per row: the original project's way."""
    began = time.perf_counter()
    for cypher, rows in batch.statements(chunk_rows=1):

        async def work(tx, cypher=cypher, rows=rows) -> None:
            await (await tx.run(cypher, rows=rows)).consume()

        await store.write(work)
    return time.perf_counter() - began


async def main_async(settings: Neo4jSettings, args: argparse.Namespace) -> None:
    data = crawl_shaped(args.playlists, args.tracks, args.per_playlist)
    rel_rows = relationship_rows(data)
    print(f"data: {args.playlists} playlists, {args.tracks} tracks, {len(data)} rows "
          f"({rel_rows} relationship rows)")  # fmt: skip
    async with GraphStore(settings) as store:
        await ensure_schema(store)
        # Neo4j's JIT warms up on the first ~100k rows (the first pass runs 2-3x slower):
        # one unmeasured pass, so every chunk size is measured on a warm server.
        await clear_graph(store)
        await batched(store, data, DEFAULT_CHUNK_ROWS)
        rates = {}
        for chunk in args.chunks:
            await clear_graph(store)
            seconds = await batched(store, data, chunk)
            rates[chunk] = rel_rows / seconds
            print(f"batched  chunk={chunk:>5}: {seconds:6.2f} s  {rates[chunk]:>9,.0f} rel rows/s "
                  f"({len(data) / seconds:,.0f} rows/s all kinds)")  # fmt: skip
        counts = await count_relationships(store)
        assert sum(counts.values()) == rel_rows, counts
        best_chunk = max(rates, key=rates.__getitem__)

        await clear_graph(store)
        part = prefix(data, args.row_fraction)
        await row_by_row(store, prefix(data, 0.005))  # its own warm-up
        await clear_graph(store)
        part_rel = relationship_rows(part)
        seconds = await row_by_row(store, part)
        slow = part_rel / seconds
        print(f"row-by-row ({len(part)} rows, {args.row_fraction:.0%} of the same data): "
              f"{seconds:6.2f} s  {slow:>9,.0f} rel rows/s")  # fmt: skip
        best = rates[best_chunk]
        print(f"RESULT batched {best:,.0f} rel rows/s (chunk {best_chunk}); "
              f"row-by-row {slow:,.0f} rel rows/s; ratio {best / slow:.1f}x")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--playlists", type=int, default=2000)
    parser.add_argument("--tracks", type=int, default=20000)
    parser.add_argument("--per-playlist", type=int, default=50)
    parser.add_argument("--chunks", type=int, nargs="+", default=[250, 1000, 2000, 5000])
    parser.add_argument("--row-fraction", type=float, default=0.05)
    args = parser.parse_args()
    with fresh_neo4j() as settings:
        asyncio.run(main_async(settings, args))


if __name__ == "__main__":
    main()
