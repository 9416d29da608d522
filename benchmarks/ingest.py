"""Batched UNWIND writes versus row-by-row MERGE, on crawl-shaped data, into a fresh Neo4j.

    .venv/bin/python benchmarks/ingest.py [--playlists 2000] [--tracks 20000] [--profile]

Prints relationship rows per second for each path and their ratio, plus batched
throughput for several chunk sizes (how DEFAULT_CHUNK_ROWS was chosen). Neo4j's JIT
keeps speeding up over the first passes, so --warmup unmeasured passes come first and
the chunk sizes are then measured in turn, --repeat times in a rotating order, and
reported by their median (and best). The row-by-row path writes a prefix of the same
rows (it is slow); rates are per row, so they compare.

--profile adds where the time of one batched pass goes, per kind of row: wall time,
Neo4j's own execution time (the result summaries), the commit, and the CPU seconds of
this process and of the Neo4j process; the CONTAINS rows by our MERGE against a bare
CREATE with no checks (the ceiling of any idempotent shape), in turn; then Neo4j's
PROFILE (rows and db hits per operator) of one chunk of new rows of each relationship
type.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from typing import Any

import psutil

from _neo4j import fresh_local_neo4j
from tunegraph.graphstore.cypher import NODE_WRITES, RELATIONSHIP_WRITES, UNCHECKED_CONTAINS
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
from tunegraph.neo4j_server import LocalPaths


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


def neo4j_process(settings: Neo4jSettings, paths: LocalPaths) -> psutil.Process:
    port = int(settings.uri.rsplit(":", 1)[1])
    return psutil.Process(json.loads(paths.record_file(port).read_text())["pid"])


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


async def timed_write(
    store: GraphStore, cypher: str, rows: list[dict[str, Any]], chunk_rows: int
) -> tuple[float, float, float]:
    """Rows written as `batched` writes them; wall, Neo4j's execution and commit seconds."""
    wall = execution = commit = 0.0
    for start in range(0, len(rows), chunk_rows * 10):
        part = rows[start : start + chunk_rows * 10]

        async def work(tx: Any, part: list = part) -> tuple[float, float]:
            server_ms = 0
            for at in range(0, len(part), chunk_rows):
                result = await tx.run(cypher, rows=part[at : at + chunk_rows])
                summary = await result.consume()
                server_ms += summary.result_available_after + summary.result_consumed_after
            return server_ms / 1000, time.perf_counter()

        began = time.perf_counter()
        seconds, work_done = await store.write(work)
        ended = time.perf_counter()
        wall += ended - began
        execution += seconds
        commit += ended - work_done
    return wall, execution, commit


async def where_time_goes(
    store: GraphStore, batch: GraphBatch, chunk_rows: int, server: psutil.Process
) -> None:
    """One batched pass as `batched` writes it, timed per kind of row."""
    me = psutil.Process()
    print(f"where one batched pass (chunk {chunk_rows}) spends its time, per kind of row:")
    print(f"  {'kind':<9}{'rows':>8}{'wall s':>8}{'exec s':>8}{'commit s':>9}"
          f"{'client cpu s':>13}{'neo4j cpu s':>12}{'rows/s':>9}")  # fmt: skip
    totals = [0.0] * 5
    for kinds, writes in ((batch.nodes, NODE_WRITES), (batch.relationships, RELATIONSHIP_WRITES)):
        for kind, rows in kinds.items():
            client0, server0 = cpu_seconds(me), cpu_seconds(server)
            wall, execution, commit = await timed_write(store, writes[kind], rows, chunk_rows)
            client, neo4j = cpu_seconds(me) - client0, cpu_seconds(server) - server0
            for i, value in enumerate((wall, execution, commit, client, neo4j)):
                totals[i] += value
            print(f"  {kind:<9}{len(rows):>8}{wall:>8.2f}{execution:>8.2f}{commit:>9.2f}"
                  f"{client:>13.2f}{neo4j:>12.2f}{len(rows) / wall:>9,.0f}")  # fmt: skip
    wall, execution, commit, client, neo4j = totals
    print(f"  {'all':<9}{len(batch):>8}{wall:>8.2f}{execution:>8.2f}{commit:>9.2f}"
          f"{client:>13.2f}{neo4j:>12.2f}{len(batch) / wall:>9,.0f}")  # fmt: skip
    print(f"PROFILE-SPLIT wall {wall:.2f} s = execution {execution / wall:.0%} + commit "
          f"{commit / wall:.0%} + the rest {1 - (execution + commit) / wall:.0%}; CPU: "
          f"Neo4j {neo4j:.2f} s, this process {client:.2f} s "
          f"({client / (client + neo4j):.0%} of both)")  # fmt: skip


async def merge_versus_create(
    store: GraphStore, batch: GraphBatch, chunk_rows: int, repeat: int
) -> None:
    """CONTAINS rows by our MERGE and by a bare CREATE (no checks), in turn, same graph."""
    rows = batch.relationships["CONTAINS"]
    others = GraphBatch()
    for label, node_rows in batch.nodes.items():
        others.nodes[label] = node_rows
    for rel_type, rel_rows in batch.relationships.items():
        if rel_type != "CONTAINS":
            others.relationships[rel_type] = rel_rows
    runs: dict[str, list[tuple[float, float, float]]] = {"MERGE": [], "CREATE": []}
    for turn in range(repeat):
        for name in ("MERGE", "CREATE") if turn % 2 == 0 else ("CREATE", "MERGE"):
            await clear_graph(store)
            await batched(store, others, chunk_rows)
            cypher = RELATIONSHIP_WRITES["CONTAINS"] if name == "MERGE" else UNCHECKED_CONTAINS
            runs[name].append(await timed_write(store, cypher, rows, chunk_rows))
    for name, timings in runs.items():
        wall, execution, commit = (statistics.median(t[i] for t in timings) for i in range(3))
        print(f"PROFILE-CEILING CONTAINS by {name:<6}: {len(rows)} rows, median of {repeat}: "
              f"wall {wall:.2f} s (execution {execution:.2f}, commit {commit:.2f}) "
              f"{len(rows) / wall:,.0f} rows/s")  # fmt: skip


def print_plan(plan: Any, depth: int = 0) -> None:
    details = plan.get("args", {}).get("Details", "")
    print(f"    {'  ' * depth}{plan['operatorType'].split('@')[0]:<{36 - 2 * depth}}"
          f"{plan.get('rows', 0):>8}{plan.get('dbHits', 0):>9}  {details[:70]}")  # fmt: skip
    for child in plan.get("children", []):
        print_plan(child, depth + 1)


async def profile_plans(store: GraphStore, batch: GraphBatch, chunk_rows: int) -> None:
    """PROFILE one chunk of new rows of each relationship type, all nodes already written."""
    await clear_graph(store)
    held_back = GraphBatch()
    for label, rows in batch.nodes.items():
        held_back.nodes[label] = rows
    for rel_type, rows in batch.relationships.items():
        held_back.relationships[rel_type] = rows[:-chunk_rows]
    await batched(store, held_back, chunk_rows)
    for rel_type, rows in batch.relationships.items():
        chunk = rows[-chunk_rows:]
        cypher = RELATIONSHIP_WRITES[rel_type]

        async def work(tx: Any, cypher: str = cypher, chunk: list = chunk) -> Any:
            return await (await tx.run("PROFILE " + cypher, rows=chunk)).consume()

        summary = await store.write(work)
        plan = summary.profile
        print(f"PROFILE {rel_type}: {len(chunk)} new rows, runtime "
              f"{plan.get('args', {}).get('runtime', '?')}, {summary.result_available_after} ms "
              f"to execute (profiling included); {summary.counters}")  # fmt: skip
        print(f"    {'operator':<36}{'rows':>8}{'db hits':>9}  details")
        print_plan(plan)


async def main_async(settings: Neo4jSettings, paths: LocalPaths, args: argparse.Namespace) -> None:
    data = crawl_shaped(args.playlists, args.tracks, args.per_playlist)
    rel_rows = relationship_rows(data)
    print(f"data: {args.playlists} playlists, {args.tracks} tracks, {len(data)} rows "
          f"({rel_rows} relationship rows)")  # fmt: skip
    async with GraphStore(settings) as store:
        await ensure_schema(store)
        # Neo4j's JIT keeps warming up over the first passes: unmeasured passes first,
        # then each chunk size in a rotating order.
        for _ in range(args.warmup):
            await clear_graph(store)
            await batched(store, data, DEFAULT_CHUNK_ROWS)
        seconds: dict[int, list[float]] = {chunk: [] for chunk in args.chunks}
        for repeat in range(args.repeat):
            shift = repeat % len(args.chunks)
            for chunk in args.chunks[shift:] + args.chunks[:shift]:
                await clear_graph(store)
                seconds[chunk].append(await batched(store, data, chunk))
        counts = await count_relationships(store)
        assert sum(counts.values()) == rel_rows, counts
        rates = {}
        for chunk, runs in seconds.items():
            median = statistics.median(runs)
            rates[chunk] = rel_rows / median
            print(f"batched  chunk={chunk:>5}: median {median:6.2f} s  {rates[chunk]:>9,.0f} rel "
                  f"rows/s ({len(data) / median:,.0f} rows/s all kinds; best "
                  f"{rel_rows / min(runs):,.0f} rel rows/s of {len(runs)})")  # fmt: skip
        best_chunk = max(rates, key=rates.__getitem__)

        if args.profile:
            await clear_graph(store)
            await where_time_goes(store, data, best_chunk, neo4j_process(settings, paths))
            await merge_versus_create(store, data, best_chunk, args.repeat)
            await profile_plans(store, data, best_chunk)

        await clear_graph(store)
        part = prefix(data, args.row_fraction)
        await row_by_row(store, prefix(data, 0.005))  # its own warm-up
        await clear_graph(store)
        part_rel = relationship_rows(part)
        row_seconds = await row_by_row(store, part)
        slow = part_rel / row_seconds
        print(f"row-by-row ({len(part)} rows, {args.row_fraction:.0%} of the same data): "
              f"{row_seconds:6.2f} s  {slow:>9,.0f} rel rows/s")  # fmt: skip
        best = rates[best_chunk]
        print(f"RESULT batched {best:,.0f} rel rows/s (chunk {best_chunk}, median of "
              f"{args.repeat}); row-by-row {slow:,.0f} rel rows/s; "
              f"ratio {best / slow:.1f}x")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--playlists", type=int, default=2000)
    parser.add_argument("--tracks", type=int, default=20000)
    parser.add_argument("--per-playlist", type=int, default=50)
    parser.add_argument("--chunks", type=int, nargs="+", default=[250, 1000, 2000, 5000])
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured passes first")
    parser.add_argument("--repeat", type=int, default=3, help="measured passes per chunk size")
    parser.add_argument("--row-fraction", type=float, default=0.05)
    parser.add_argument("--profile", action="store_true",
                        help="also the time split of one pass, and Neo4j's PROFILE")  # fmt: skip
    args = parser.parse_args()
    with fresh_local_neo4j() as (settings, paths):
        asyncio.run(main_async(settings, paths, args))


if __name__ == "__main__":
    main()
