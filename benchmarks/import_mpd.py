"""Benchmark `tunegraph import mpd`: playlist-track rows per second and peak memory.

Generates MPD-format slice files (default 20,000 playlists, ~1.3 M playlist-track rows,
a Zipf-like track popularity over 150,000 tracks), then, side by side on the same files,
each on a fresh Neo4j of its own (tunegraph's launcher, temporary data directory):

- transactional: the default import (batched MERGE transactions, resumable per file);
- bulk: `--bulk`, the offline importer into an empty database (stage CSV, stop, import,
  start, schema), with the time of each phase.

It prints rows/s end to end, the peak RSS of this process plus its parser processes
(not Neo4j's), and the RSS after each file, which must stay flat in the number of files.

    .venv/bin/python benchmarks/import_mpd.py [--playlists 20000] [--workers 2]
        [--mode both|bulk|transactional] [--folder DIR (reuse generated files)]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _neo4j import fresh_local_neo4j, fresh_neo4j
from tunegraph.datasets.mpd import iter_playlists
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.mpd.bulk import BulkSettings, bulk_import_mpd
from tunegraph.graphstore.mpd.slices import ImportSummary, Progress, expand_paths
from tunegraph.graphstore.mpd.transactional import ImportSettings, import_mpd
from tunegraph.graphstore.schema import ensure_schema
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.graphstore.writers import count_nodes, count_relationships
from tunegraph.neo4j_server import LocalPaths, local_offline_loader
from tunegraph.testing.memory import RssSampler

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@functools.cache
def spotify_id(kind: str, i: int) -> str:
    digits = []
    n = i * 7919 + ord(kind[0])
    for _ in range(22):
        n, r = divmod(n, 62)
        digits.append(ALPHABET[r])
    return "".join(reversed(digits))


def generate(folder: Path, playlists: int, per_file: int, n_tracks: int, seed: int) -> int:
    """Write slice files; returns the number of playlist-track rows."""
    rng = random.Random(seed)
    weights = [1.0 / (i + 10) ** 0.9 for i in range(n_tracks)]
    cum = list(itertools.accumulate(weights))
    rows = 0
    for start in range(0, playlists, per_file):
        items = []
        for pid in range(start, min(start + per_file, playlists)):
            length = rng.randint(5, 127)
            chosen = list(dict.fromkeys(rng.choices(range(n_tracks), cum_weights=cum, k=length)))
            tracks = []
            for pos, t in enumerate(chosen):
                artist, album = t // 8, t // 3
                tracks.append(
                    {
                        "pos": pos,
                        "artist_name": f"Artist {artist}",
                        "track_uri": f"spotify:track:{spotify_id('t', t)}",
                        "artist_uri": f"spotify:artist:{spotify_id('a', artist)}",
                        "track_name": f"Track {t}",
                        "album_uri": f"spotify:album:{spotify_id('l', album)}",
                        "duration_ms": 120_000 + t % 180_000,
                        "album_name": f"Album {album}",
                    }
                )
            rows += len(tracks)
            items.append(
                {
                    "name": f"playlist {pid}",
                    "collaborative": "false",
                    "pid": pid,
                    "modified_at": 1_500_000_000 + pid,
                    "num_tracks": len(tracks),
                    "num_albums": len({x["album_uri"] for x in tracks}),
                    "num_followers": 1 + pid % 13,
                    "tracks": tracks,
                    "num_edits": 3,
                    "duration_ms": sum(x["duration_ms"] for x in tracks),
                    "num_artists": len({x["artist_uri"] for x in tracks}),
                }
            )
        end = start + len(items) - 1
        doc = {"info": {"slice": f"{start}-{end}", "version": "v1"}, "playlists": items}
        (folder / f"mpd.slice.{start}-{end}.json").write_text(json.dumps(doc, indent=2))
    spotify_id.cache_clear()
    return rows


def _report(
    summary: ImportSummary, sampler: RssSampler, per_file_rss: list[float], before: float
) -> None:
    print(f"  files                 {len(summary.files)}")
    print(f"  playlists             {summary.playlists:,}")
    print(f"  playlist-track rows   {summary.rows:,}")
    print(f"  import time           {summary.seconds:.1f} s")
    print(f"  rows/s                {summary.rows_per_second:,.0f}")
    print(f"  RSS before import     {before:.0f} MiB (this benchmark process)")
    print(f"  peak RSS (importer)   {sampler.python_peak / 2**20:.0f} MiB")
    step = max(1, len(per_file_rss) // 10)
    print(f"  RSS after each file   {' '.join(f'{v:.0f}' for v in per_file_rss[::step])} MiB")


def _rss_per_file(sampler: RssSampler, per_file_rss: list[float]) -> Callable[[Progress], None]:
    last_files = [0]

    def progress(p: Progress) -> None:
        if p.files_done != last_files[0]:
            last_files[0] = p.files_done
            per_file_rss.append(sampler.current()[0] / 2**20)

    return progress


async def transactional(args: argparse.Namespace, settings: Neo4jSettings, folder: Path,
                        rows: int) -> float:  # fmt: skip
    per_file_rss: list[float] = []
    sampler = RssSampler()
    import_settings = ImportSettings(
        workers=args.workers, chunk_rows=args.chunk_rows, tx_rows=args.tx_rows
    )
    async with GraphStore(settings) as store:
        await ensure_schema(store)
        before = sampler.current()[0] / 2**20
        with sampler:
            summary = await import_mpd(
                store, [folder], import_settings, _rss_per_file(sampler, per_file_rss)
            )
        assert not summary.failed, summary.failed
        nodes = await count_nodes(store)
        rels = await count_relationships(store)
        assert rels.get("CONTAINS") == rows, (rels, rows)
        again_start = time.perf_counter()
        again = await import_mpd(store, [folder], import_settings)
        again_s = time.perf_counter() - again_start
        assert len(again.skipped) == len(summary.files)
        assert await count_relationships(store) == rels
    print(f"transactional (workers {args.workers}):")
    _report(summary, sampler, per_file_rss, before)
    print(f"  graph                 {nodes} {rels}")
    print(f"  re-run (all skipped)  {again_s:.1f} s")
    return summary.rows_per_second


async def bulk(args: argparse.Namespace, settings: Neo4jSettings, paths: LocalPaths,
               folder: Path, rows: int) -> float:  # fmt: skip
    per_file_rss: list[float] = []
    sampler = RssSampler()
    phases: list[tuple[str, float]] = []

    def stage(text: str) -> None:
        phases.append((text, time.perf_counter()))

    async with GraphStore(settings) as store:
        await ensure_schema(store)  # what `tunegraph neo4j start` + a first command leave
    before = sampler.current()[0] / 2**20
    start = time.perf_counter()
    with sampler:
        summary = await bulk_import_mpd(
            settings, local_offline_loader(paths, settings), expand_paths([folder]),
            BulkSettings(workers=args.workers),
            _rss_per_file(sampler, per_file_rss), stage,
        )  # fmt: skip
    end = time.perf_counter()
    assert not summary.failed, summary.failed
    async with GraphStore(settings) as store:
        nodes = await count_nodes(store)
        rels = await count_relationships(store)
    assert rels.get("CONTAINS") == rows, (rels, rows)
    print(f"bulk (workers {args.workers}):")
    _report(summary, sampler, per_file_rss, before)
    print(f"  graph                 {nodes} {rels}")
    marks = [("start", start), *phases, ("done", end)]
    for (name, t0), (_, t1) in itertools.pairwise(marks):
        print(f"    {name:34s} {t1 - t0:6.1f} s")
    return summary.rows_per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--playlists", type=int, default=20_000)
    parser.add_argument("--per-file", type=int, default=1_000)
    parser.add_argument("--tracks", type=int, default=150_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--mode", choices=("both", "bulk", "transactional"), default="both")
    parser.add_argument("--folder", type=Path, help="reuse slice files generated before")
    parser.add_argument("--chunk-rows", type=int, default=ImportSettings.chunk_rows)
    parser.add_argument("--tx-rows", type=int, default=ImportSettings.tx_rows)
    parser.add_argument("--heap-mb", type=int, default=2048)
    parser.add_argument("--pagecache-mb", type=int, default=1024)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tunegraph-import-bench-") as tmp:
        folder = args.folder or Path(tmp) / "mpd"
        if args.folder is None:
            folder.mkdir()
            t0 = time.perf_counter()
            rows = generate(folder, args.playlists, args.per_file, args.tracks, args.seed)
            print(f"generated {args.playlists:,} playlists, {rows:,} rows in "
                  f"{time.perf_counter() - t0:.1f} s", flush=True)  # fmt: skip
        else:
            rows = sum(len(p.tracks) for p in iter_playlists(folder))
            print(f"reusing {folder}: {rows:,} rows", flush=True)
        rates = {}
        heap = {"heap_mb": args.heap_mb, "pagecache_mb": args.pagecache_mb}
        if args.mode in ("both", "transactional"):
            with fresh_neo4j(**heap) as settings:
                rates["transactional"] = asyncio.run(transactional(args, settings, folder, rows))
        if args.mode in ("both", "bulk"):
            with fresh_local_neo4j(**heap) as (settings, paths):
                rates["bulk"] = asyncio.run(bulk(args, settings, paths, folder, rows))
        if len(rates) == 2:
            ratio = rates["bulk"] / rates["transactional"]
            print(f"bulk / transactional   {ratio:.1f}x")
        best = max(rates.values())
        print(f"goal >= 50,000 rows/s  {best:,.0f} -> {'met' if best >= 50_000 else 'NOT met'}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
