"""How many requests per second the simulator serves with faults off.

The server runs in this process on loopback; load comes from separate processes
(aiohttp clients with many concurrent connections), so the server keeps its own
core. Bounded in requests and seconds. Besides wall-clock throughput it prints
requests per CPU-second of the server process: the one-core capacity, which is
what matters when the load generators share the machine.

    .venv/bin/python benchmarks/simulator.py --requests 20000 --concurrency 64 --clients 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sys
import tempfile
import time
from asyncio.subprocess import PIPE
from pathlib import Path
from urllib.parse import quote

import aiohttp

from tunegraph.simulator.server import SimulatorConfig, run_simulator
from tunegraph.simulator.world import World, WorldConfig, generate_world


def request_mix(world: World, api: str, n: int, seed: int = 1, mix: str = "crawl") -> list[str]:
    """``crawl``: 60% item pages of 50, 15% playlists, 15% searches of 50, 10% tracks.

    ``small``: single tracks only (~1 KB bodies), to show per-request overhead.
    """
    rng = random.Random(seed)
    if mix == "small":
        tracks = list(world.tracks)
        return [f"{api}/tracks/{rng.choice(tracks)}" for _ in range(n)]
    playlists = [p for p in world.playlists.values() if p.public]
    artists = list(world.artists.values())
    tracks = list(world.tracks)
    urls = []
    for _ in range(n):
        roll = rng.random()
        playlist = rng.choice(playlists)
        if roll < 0.6:
            total = len(playlist.track_ids) + len(playlist.extras)
            offset = rng.randrange(0, max(1, total), 50)
            urls.append(f"{api}/playlists/{playlist.id}/items?offset={offset}&limit=50")
        elif roll < 0.75:
            urls.append(f"{api}/playlists/{playlist.id}")
        elif roll < 0.9:
            name = quote(rng.choice(artists).name)
            urls.append(
                f"{api}/search?q={name}&type=playlist&limit=50&offset={rng.choice((0, 50))}"
            )
        else:
            urls.append(f"{api}/tracks/{rng.choice(tracks)}")
    return urls


async def load(token_url: str, urls: list[str], concurrency: int, seconds: float) -> dict:
    """Send ``urls`` with ``concurrency`` connections until done or ``seconds`` pass."""
    connector = aiohttp.TCPConnector(limit=concurrency)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    async with aiohttp.ClientSession(connector=connector) as session:
        auth = aiohttp.helpers.encode_basic_auth("tunegraph-demo", "tunegraph-demo-secret")
        form = {"grant_type": "client_credentials"}
        async with session.post(token_url, data=form, headers={"Authorization": auth}) as resp:
            token = (await resp.json())["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        queue = iter(urls)
        deadline = time.monotonic() + seconds

        async def worker() -> None:
            for url in queue:
                if time.monotonic() > deadline:
                    return
                started = time.perf_counter()
                async with session.get(url, headers=headers) as resp:
                    await resp.read()
                latencies.append(time.perf_counter() - started)
                statuses[resp.status] = statuses.get(resp.status, 0) + 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "elapsed_s": elapsed,
        "statuses": statuses,
        "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else None,
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)] if latencies else None,
    }


def load_main(args: argparse.Namespace) -> None:
    urls = json.loads(Path(args.urls).read_text())
    result = asyncio.run(load(args.token_url, urls, args.concurrency, args.seconds))
    print(json.dumps(result))


async def bench(args: argparse.Namespace) -> None:
    world = generate_world(WorldConfig(seed=args.seed))
    config = SimulatorConfig(port=0)
    async with run_simulator(world, config) as running:
        per_client = args.requests // args.clients
        files = []
        for i in range(args.clients):
            fh = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)  # noqa: SIM115
            json.dump(request_mix(world, running.api_url, per_client, i + 1, args.mix), fh)
            fh.close()
            files.append(fh.name)
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        wall0 = time.monotonic()
        common = ["--token-url", running.token_url, "--concurrency", str(args.concurrency)]
        common += ["--seconds", str(args.seconds)]
        procs = [
            await asyncio.create_subprocess_exec(
                sys.executable, __file__, "--load", "--urls", path, *common, stdout=PIPE
            )
            for path in files
        ]
        outputs = [await p.communicate() for p in procs]
        wall = time.monotonic() - wall0
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        stats = running.simulator.stats.snapshot()
    for path in files:
        Path(path).unlink()
    results = [json.loads(out) for out, _ in outputs]
    served = sum(r["requests"] for r in results)
    busiest = max(r["elapsed_s"] for r in results)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    statuses: dict[str, int] = {}
    for r in results:
        for status, n in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    print(
        f"world: {world.sizes()}, mix {args.mix}, faults off, "
        f"{args.clients} load processes x {args.concurrency} connections"
    )
    counted = stats["total_requests"]
    print(f"requests served:        {served} (statuses {statuses}; server counted {counted})")
    print(f"wall-clock throughput:  {served / busiest:,.0f} req/s over {busiest:.2f} s")
    share = 100 * cpu / wall
    print(f"server CPU:             {cpu:.2f} s ({share:.0f}% of one core over {wall:.2f} s)")
    print(f"one-core capacity:      {served / cpu:,.0f} req per server CPU-second")
    for i, r in enumerate(results):
        print(
            f"  client {i}: {r['requests']} req, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=20_000, help="total across load processes")
    parser.add_argument("--concurrency", type=int, default=64, help="connections per load process")
    parser.add_argument("--clients", type=int, default=2, help="load-generator processes")
    parser.add_argument(
        "--seconds", type=float, default=30.0, help="stop each load process after this"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--mix", choices=("crawl", "small"), default="crawl")
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--token-url", help=argparse.SUPPRESS)
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        load_main(args)
    else:
        asyncio.run(bench(args))


if __name__ == "__main__":
    main()
