"""Benchmark `tunegraph export`: interactions exported per second and peak memory.

Starts a fresh Neo4j of its own on a free port, fills it through the MPD importer with
generated playlists (default 8,000 playlists, ~530,000 playlist-track relationships),
then exports it (twice: the first run also warms Neo4j's page cache and query plans)
and prints interactions/s, tracks/s and the exporter's peak RSS.

    .venv/bin/python benchmarks/export.py [--playlists 8000] [--page-playlists 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from _neo4j import fresh_neo4j
from import_mpd import generate
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.export import ExportSettings, export_store
from tunegraph.graphstore.mpd.transactional import import_mpd
from tunegraph.graphstore.schema import ensure_schema
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.graphstore.writers import count_relationships
from tunegraph.testing.memory import RssSampler


async def run(args: argparse.Namespace, settings: Neo4jSettings, folder: Path, out: Path) -> None:
    async with GraphStore(settings) as store:
        await ensure_schema(store)
        t0 = time.perf_counter()
        summary = await import_mpd(store, [folder])
        print(f"populated via import  {summary.rows:,} rows in {time.perf_counter() - t0:.1f} s "
              f"({summary.rows_per_second:,.0f} rows/s)", flush=True)  # fmt: skip
        rels = await count_relationships(store)
        print(f"graph                 {rels}")
        export = ExportSettings(
            out_dir=out,
            page_playlists=args.page_playlists,
            page_tracks=args.page_tracks,
            shard_rows=args.shard_rows,
        )
        for attempt in ("cold", "warm"):
            phases: dict[str, float] = {}
            start = time.perf_counter()

            def progress(
                table: str, rows: int, phases: dict[str, float] = phases, start: float = start
            ) -> None:
                phases[table] = time.perf_counter() - start

            with RssSampler() as sampler:
                result = await export_store(store, export, progress)
            # the two tables stream side by side: each one's time is from the start
            inter_s, tracks_s = phases["interactions"], phases["tracks"]
            print(
                f"{attempt:5} export          {result.interactions:,} interactions, "
                f"{result.tracks:,} tracks, {result.shards} part file(s) in "
                f"{result.seconds:.1f} s"
            )
            print(f"      interactions/s  {result.interactions / inter_s:,.0f} "
                  f"(interaction pages {inter_s:.1f} s)")  # fmt: skip
            print(f"      overall rows/s  {result.rows_per_second:,.0f} (track pages done "
                  f"at {tracks_s:.1f} s, {result.tracks / tracks_s:,.0f} tracks/s)")  # fmt: skip
            print(f"      peak RSS        {sampler.python_peak / 2**20:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--playlists", type=int, default=8_000)
    parser.add_argument("--tracks", type=int, default=150_000)
    parser.add_argument("--page-playlists", type=int, default=ExportSettings.page_playlists)
    parser.add_argument("--page-tracks", type=int, default=ExportSettings.page_tracks)
    parser.add_argument("--shard-rows", type=int, default=ExportSettings.shard_rows)
    parser.add_argument("--heap-mb", type=int, default=2048)
    parser.add_argument("--pagecache-mb", type=int, default=1024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tunegraph-export-bench-") as tmp:
        root = Path(tmp)
        folder = root / "mpd"
        folder.mkdir()
        rows = generate(folder, args.playlists, 1_000, args.tracks, seed=11)
        print(f"generated {args.playlists:,} playlists, {rows:,} rows", flush=True)
        with fresh_neo4j(heap_mb=args.heap_mb, pagecache_mb=args.pagecache_mb) as settings:
            asyncio.run(run(args, settings, folder, root / "export"))


if __name__ == "__main__":
    main()
