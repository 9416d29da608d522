"""Crawl throughput against the simulator with added latency, and rate-budget use.

    .venv/bin/python benchmarks/crawl.py [--latency-ms 50] [--seconds 10] [--uri … --password …]

1. Playlists per second with 1, 4, 16 and 64 workers under a generous budget.
2. Under a tight budget (client budget = the simulator's limit, short window so the run
   spans several windows): the share of the budget used and the 429s received.
3. A sequential crawl in the original project's style (one blocking request at a time,
   blocking sleeps on 429) over the same world and latency, and the ratio.

Everything runs on loopback; each run is bounded by ``--seconds``. Without ``--uri`` a
private Neo4j is started for the run (that start is not counted). The sequential
baseline does not write to Neo4j at all, so the ratio understates the gain.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from contextlib import nullcontext

from _neo4j import fresh_neo4j
from tunegraph.crawler import ApiSettings, CrawlSettings, crawl
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.graphstore.writers import clear_graph
from tunegraph.simulator.runner import SimulatorThread
from tunegraph.simulator.server import SimulatorConfig
from tunegraph.simulator.world import WorldConfig, generate_world

CLIENT_ID, CLIENT_SECRET = "tunegraph-demo", "tunegraph-demo-secret"
WORLD = WorldConfig(seed=7, playlists=4000, users=600, artists=800, tracks=12000, genres=30)
CAPS = dict(max_depth=4, tracks_per_playlist=50, artists_per_playlist=10, search_limit=10)


async def _clear(neo4j: Neo4jSettings) -> None:
    async with GraphStore(neo4j) as store:
        await clear_graph(store)


def run_crawl(sim: SimulatorThread, neo4j: Neo4jSettings, seeds, workers, seconds, **api):
    asyncio.run(_clear(neo4j))
    settings = CrawlSettings(
        seeds=tuple(seeds),
        api=ApiSettings(
            api_url=f"{sim.base_url}/v1", token_url=f"{sim.base_url}/api/token",
            client_id=CLIENT_ID, client_secret=CLIENT_SECRET, **api,
        ),
        workers=workers, max_playlists=None, audio_features=False, max_seconds=seconds,
        **CAPS,
    )  # fmt: skip
    return asyncio.run(crawl(settings, neo4j))


def sequential_crawl(base: str, seeds: list[str], seconds: float) -> tuple[int, int, float]:
    """The original style: one blocking request at a time, time.sleep on 429 and errors."""
    form = urllib.parse.urlencode({"grant_type": "client_credentials"}).encode()
    req = urllib.request.Request(f"{base}/api/token", data=form, method="POST")
    import base64

    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    req.add_header("Authorization", f"Basic {basic}")
    token = json.loads(urllib.request.urlopen(req).read())["access_token"]
    requests = 0

    def get(url: str) -> dict | None:
        nonlocal requests
        while True:
            requests += 1
            r = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
            try:
                return json.loads(urllib.request.urlopen(r, timeout=10).read())
            except urllib.error.HTTPError as err:
                if err.code == 429:
                    time.sleep(float(err.headers.get("Retry-After", "1")))
                elif err.code >= 500:
                    time.sleep(1)
                else:
                    return None

    started = time.monotonic()
    queue, seen, done = deque(seeds), set(seeds), 0
    searched: dict[str, list[str]] = {}
    while queue and time.monotonic() - started < seconds:
        pid = queue.popleft()
        playlist = get(f"{base}/v1/playlists/{pid}")
        done += 1
        if not playlist or not isinstance(playlist.get("items"), dict):
            continue
        artists: list[tuple[str, str]] = []
        for entry in (playlist["items"].get("items") or [])[: CAPS["tracks_per_playlist"]]:
            track = (entry or {}).get("item") or {}
            for artist in track.get("artists") or []:
                if artist.get("id") and (artist["id"], artist["name"]) not in artists:
                    artists.append((artist["id"], artist["name"]))
        for _, name in artists[: CAPS["artists_per_playlist"]]:
            if name not in searched:
                q = urllib.parse.urlencode({"q": name, "type": "playlist", "limit": 10})
                body = get(f"{base}/v1/search?{q}") or {}
                items = (body.get("playlists") or {}).get("items") or []
                searched[name] = [p["id"] for p in items if p]
            for found in searched[name]:
                if found not in seen:
                    seen.add(found)
                    queue.append(found)
    return done, requests, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=10.0, help="per throughput run")
    parser.add_argument("--tight-seconds", type=float, default=24.0)
    parser.add_argument("--tight-limit", type=int, default=60)
    parser.add_argument("--tight-window", type=float, default=6.0)
    parser.add_argument("--workers", default="1,4,16,64")
    parser.add_argument("--uri", default=None)
    parser.add_argument("--password", default="tunegraph")
    args = parser.parse_args()
    logging.getLogger("neo4j").setLevel(logging.ERROR)  # the driver logs its own retries

    t0 = time.monotonic()
    world = generate_world(WORLD)
    seeds = world.seed_playlist_ids(20)
    print(f"world: {world.sizes()} in {time.monotonic() - t0:.1f} s; {len(seeds)} seeds; "
          f"latency {args.latency_ms:g} ms; caps {CAPS}")  # fmt: skip
    graph = (
        nullcontext(Neo4jSettings(uri=args.uri, password=args.password))
        if args.uri
        else fresh_neo4j(heap_mb=1024, pagecache_mb=256)
    )
    with graph as neo4j:
        generous = SimulatorThread(world, SimulatorConfig(latency_ms=args.latency_ms)).start()
        rates: dict[int, float] = {}
        print("\n1. generous budget (no server limit, client budget 100000/30 s)")
        print(f"{'workers':>8} {'playlists':>10} {'seconds':>8} {'playlists/s':>12} {'req/s':>8}")
        for workers in [int(w) for w in args.workers.split(",")]:
            s = run_crawl(generous, neo4j, seeds, workers, args.seconds, rate_limit=100_000)
            rates[workers] = s.visited_here / s.elapsed_s
            print(f"{workers:>8} {s.visited_here:>10} {s.elapsed_s:>8.1f} "
                  f"{rates[workers]:>12.2f} {s.requests / s.elapsed_s:>8.1f}")  # fmt: skip

        print("\n3. sequential, original style (blocking urllib, no graph writes)")
        done, requests, elapsed = sequential_crawl(generous.base_url, seeds, args.seconds)
        seq_rate = done / elapsed
        print(
            f"{done} playlists, {requests} requests in {elapsed:.1f} s: {seq_rate:.2f} playlists/s"
        )
        best = max(rates, key=rates.get)
        print(f"ratio: {rates[best] / seq_rate:.1f}x with {best} workers "
              f"({rates.get(1, 0) / seq_rate:.2f}x with 1 worker)")  # fmt: skip
        generous.stop()

        limit, window = args.tight_limit, args.tight_window
        print(f"\n2. tight budget: simulator allows {limit} per {window:g} s, "
              f"client budget the same, 64 workers, {args.tight_seconds:g} s")  # fmt: skip
        config = SimulatorConfig(latency_ms=args.latency_ms, rate_limit=limit, rate_window_s=window)
        tight = SimulatorThread(world, config).start()
        s = run_crawl(tight, neo4j, seeds, 64, args.tight_seconds, rate_limit=args.tight_limit,
                      window_s=args.tight_window)  # fmt: skip
        stats = json.loads(urllib.request.urlopen(f"{tight.base_url}/_simulator/stats").read())
        admitted = sum(
            n for ep, by in stats["requests"].items() if ep != "POST /api/token"
            for code, n in by.items() if code != "429"
        )  # fmt: skip
        allowed = args.tight_limit * s.elapsed_s / args.tight_window
        print(f"{s.visited_here} playlists, {s.requests} requests in {s.elapsed_s:.1f} s")
        print(f"budget used: {admitted / allowed:.1%} of {allowed:.0f} allowed over the run; "
              f"peak window {stats['max_admitted_in_window']}/{args.tight_limit}")  # fmt: skip
        print(
            f"429s received: {stats['served_429']}; "
            f"requests during Retry-After: {stats['requests_during_retry_after']}"
        )
        tight.stop()


if __name__ == "__main__":
    main()
