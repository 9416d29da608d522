"""`tunegraph serve` under load, beside the batch command, on an MPD-shaped model.

Trains (or reuses, ``--model``) the model of ``benchmarks/batch_recommend.py``: an
MPD-shaped world of twice ``--playlists`` playlists, the first half trained on, the other
half asked about as challenge-style requests (title only, title and 1-100 seed tracks).
Then, for k = 10 and 500:

- the batch command (``recommend_batch``) on those requests: playlists/s;
- one ``tunegraph.load_model(...).recommend(...)`` call at a time, in this process: p50;
- ``tunegraph serve`` in its own process, driven from this one by 1, 16 and 64 concurrent
  clients (aiohttp, POST /v1/recommendations): p50/p99 latency and requests/s, and the
  server's RSS after load and at its peak.

Goals (2 cores): one client p50 <= 30 ms at k = 10; 64 clients >= 70 % of the batch
command's playlists/s; p99 <= 250 ms at 16 clients; server RSS <= 1.5x the loaded model;
one ``recommend`` call <= 30 ms.

Usage: .venv/bin/python benchmarks/serve.py [--playlists 10000] [--requests 1000]
       [--model DIR (train into DIR, or reuse the model this script left there)]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil

CLIENTS = (1, 16, 64)
KS = (10, 500)


def build_model(root: Path, args: argparse.Namespace) -> tuple[Path, list[dict[str, Any]]]:
    """Train on the first half of a fresh MPD-shaped world; the second half as requests."""
    from batch_recommend import challenge_file
    from tunegraph.datasets.synthetic_mpd import MpdShape, generate_mpd
    from tunegraph.model.api import TrainSettings, train
    from tunegraph.testing.export_dir import records_export

    world = generate_mpd(MpdShape(playlists=2 * args.playlists, seed=args.seed))
    records = list(world.iter_playlists())
    model_dir = Path(args.model) if args.model else root / "model"
    if not (model_dir / "config.json").exists():
        data = records_export(root / "data", records[: args.playlists])
        start = time.perf_counter()
        settings = TrainSettings(
            data, model_dir, epochs=args.epochs, threads=args.threads, save_index=False,
            ranker="gbdt",  # what --ranker auto keeps on these worlds, as batch_recommend
        )  # fmt: skip
        train(settings)
        print(f"trained in {time.perf_counter() - start:.1f}s")
    requests_file = root / "challenge_set.json"
    challenge_file(requests_file, records[args.playlists :][: args.requests], seed=2)
    return model_dir, json.loads(requests_file.read_text())["playlists"]


def api_requests(model: Any, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The challenge entries as API requests: tracks the model knows, and the title."""
    known = model.lookups.track_index
    out = []
    for e in entries:
        tracks = [t["track_uri"].split(":")[-1] for t in e["tracks"]]
        tracks = [t for t in tracks if t in known]
        if tracks or e["name"]:
            out.append({"tracks": tracks, "name": e["name"]})
    return out


def percentiles(seconds: list[float]) -> str:
    ms = np.array(seconds) * 1000
    return f"p50 {np.percentile(ms, 50):6.1f} ms  p99 {np.percentile(ms, 99):6.1f} ms"


def batch_rate(model: Any, entries: list[dict[str, Any]], k: int, root: Path) -> float:
    from tunegraph.model.serving.batch import BatchSettings, recommend_batch

    path = root / "requests.json"
    path.write_text(json.dumps({"playlists": entries}))
    settings = BatchSettings(model.path, root / "recs.csv", path, k=k, threads=2)
    result = recommend_batch(settings, loaded=model.loaded)
    return result.playlists / result.seconds


def start_server(model_dir: Path, port: int) -> subprocess.Popen[str]:
    code = "import sys; from tunegraph.cli.main import main; sys.argv[0] = 'tunegraph'; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--model", str(model_dir), "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("serving "):
            return proc
    raise SystemExit(f"the server did not start (exit {proc.wait()})")


async def drive(url: str, requests: list[dict[str, Any]], clients: int, k: int) -> tuple:
    import aiohttp

    latencies: list[float] = []
    failures = 0
    todo = iter(requests)

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal failures
        for body in todo:
            start = time.perf_counter()
            async with session.post(url, json={**body, "k": k}) as answer:
                await answer.read()
                failures += answer.status != 200
            latencies.append(time.perf_counter() - start)

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(clients)))
        seconds = time.perf_counter() - start
    return latencies, len(latencies) / seconds, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--playlists", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=1000, help="requests per load level")
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--model", default=None, help="train into this folder, or reuse what it holds"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))

    import tunegraph
    from tunegraph.model._tf import configure_threads
    from tunegraph.testing.ports import free_port

    configure_threads(args.threads)
    print(f"host: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="tunegraph-serve-bench-") as tmp:
        root = Path(tmp)
        model_dir, entries = build_model(root, args)
        start = time.perf_counter()
        model = tunegraph.load_model(model_dir)
        print(f"model loaded in {time.perf_counter() - start:.1f}s")
        requests = api_requests(model, entries)
        print(f"{len(requests)} requests (challenge-style: title and 0-100 known seed tracks)")
        for k in KS:
            calls = []
            for body in requests[:200]:
                t0 = time.perf_counter()
                model.recommend(tracks=body["tracks"], name=body["name"], k=k)
                calls.append(time.perf_counter() - t0)
            rate = batch_rate(model, entries, k, root)
            print(f"k={k}: batch command {rate:,.0f} playlists/s; one recommend() call"
                  f" {percentiles(calls)}")  # fmt: skip
        port = free_port()
        server = start_server(model_dir, port)
        try:
            proc = psutil.Process(server.pid)
            idle, peak = proc.memory_info().rss, 0
            url = f"http://127.0.0.1:{port}/v1/recommendations"
            for k in KS:
                for clients in CLIENTS:
                    lat, rps, failed = asyncio.run(drive(url, requests, clients, k))
                    peak = max(peak, proc.memory_info().rss)
                    print(f"serve k={k:<3} clients={clients:<2}: {percentiles(lat)}"
                          f"  {rps:7,.1f} req/s  failed {failed}")  # fmt: skip
            print(f"server RSS {idle / 2**20:.0f} MiB after load, {peak / 2**20:.0f} MiB peak"
                  f" ({peak / idle:.2f}x)")  # fmt: skip
        finally:
            server.terminate()
            server.wait(timeout=60)
    print(f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
