"""Batch recommendation speed: 10,000 challenge-style playlists x 500 tracks into one file.

Generates an MPD-shaped world of twice ``--playlists`` playlists, exports the first half
and trains on it with the default pipeline (fewer two-tower epochs), and writes the other
half as a RecSys 2018 challenge-set-shaped request file (title only, title and the first
1, 5, 10, 25 or 100 tracks, or random tracks, like the real challenge's categories). It
times ``recommend_batch`` after the model is loaded: the model call
(``recommend_lists``), the popularity top-up and the files (reading requests, writing),
for CSV and for a submission file. Goal (2-core machine): under 60 s for the whole batch.

Usage: .venv/bin/python benchmarks/batch_recommend.py [--playlists 10000] [--k 500]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from tunegraph.datasets.synthetic_mpd import MpdShape, generate_mpd
from tunegraph.testing.export_dir import records_export, spotify_id

SEED_SIZES = (0, 1, 5, 10, 25, 100)  # 0: title only


def challenge_file(path: Path, records: list[dict], seed: int) -> int:
    """A challenge-set-shaped JSON: pids from 1,000,000, seeds drawn from ``records``."""
    rng = np.random.default_rng(seed)
    entries = []
    for i, record in enumerate(records):
        tracks = [spotify_id(t["track_uri"]) for t in record["tracks"]]
        size = int(SEED_SIZES[i % len(SEED_SIZES)])
        if i % 7 == 6 and len(tracks) > 2:  # random tracks rather than the first ones
            chosen = list(rng.choice(tracks, min(size, len(tracks) - 1), replace=False))
        else:
            chosen = tracks[: min(size, len(tracks) - 1)]
        entry = {"pid": 1_000_000 + i, "name": record["name"], "num_samples": len(chosen)}
        entry["tracks"] = [
            {"pos": j, "track_uri": f"spotify:track:{t}"} for j, t in enumerate(chosen)
        ]
        entries.append(entry)
    path.write_text(json.dumps({"date": "2018-01-16", "version": "bench", "playlists": entries}))
    return len(entries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--playlists", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2018, help="the world's seed")
    parser.add_argument("--k", type=int, default=500)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    from tunegraph.model._tf import configure_threads
    from tunegraph.model.api import TrainSettings, train
    from tunegraph.model.pipeline.artifacts import load_model
    from tunegraph.model.serving.batch import BatchSettings, recommend_batch

    configure_threads(args.threads)
    print(f"host: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="tunegraph-batch-bench-") as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        # one world: the first half is exported and trained on, the second half are the
        # challenge's playlists (new to the model, but from the same genres)
        world = generate_mpd(MpdShape(playlists=2 * args.playlists, seed=args.seed))
        records = list(world.iter_playlists())
        data = records_export(root / "data", records[: args.playlists])
        unseen = records[args.playlists :]
        print(f"world and export: {time.perf_counter() - start:.1f}s")
        start = time.perf_counter()
        settings = TrainSettings(
            data, root / "model", epochs=args.epochs, threads=args.threads, save_index=False,
            ranker="gbdt",  # what --ranker auto keeps on these worlds
        )  # fmt: skip
        result = train(settings)
        print(
            f"trained {result.examples:,} examples x {args.epochs} epochs in"
            f" {time.perf_counter() - start:.1f}s (ranking {result.ranker})"
        )
        start = time.perf_counter()
        model = load_model(root / "model")
        print(f"model loaded in {time.perf_counter() - start:.1f}s")

        requests = root / "challenge_set.json"
        n = challenge_file(requests, unseen, seed=2)
        for fmt, name in (("csv", "recs.csv"), ("recsys2018", "submission.csv")):
            out = root / name
            batch = BatchSettings(
                root / "model", out, requests, k=args.k, out_format=fmt, threads=args.threads
            )
            r = recommend_batch(batch, loaded=model)
            print(
                f"{fmt}: {r.playlists:,} playlists x {args.k} in {r.seconds:.1f}s"
                f" ({r.playlists / r.seconds:,.0f} playlists/s): model {r.model_seconds:.1f}s,"
                f" top-up {r.top_up_seconds:.2f}s, files {r.io_seconds:.1f}s"
                f" ({out.stat().st_size / 2**20:.0f} MiB); {len(r.warnings)} warnings"
                f"  [goal < 60 s: {'met' if r.seconds < 60 else 'NOT met'}]"
            )
        assert n == r.playlists
    print(f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
