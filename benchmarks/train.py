"""Training and serving speed at 200,000 interactions over 50,000 tracks, side by side with
the original project's way (FactorizedTopK over all candidates inside every training step).

Measures: examples/s and seconds per epoch of our in-batch-softmax training; evaluation
over all candidates for the held-out playlists; recommendations for 1,000 playlists;
and a few steps of the original way, extrapolated to an epoch, with the ratio.
Goals (2-core machine): epoch < 10 s, evaluation over 50k candidates < 5 s,
1,000 recommendations < 1 s.

Usage: .venv/bin/python benchmarks/train.py [--interactions 200000] [--tracks 50000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from tunegraph.testing.export_dir import write_export_dir


def generate(interactions: int, tracks: int, genres: int, seed: int) -> dict[str, list[str]]:
    """Playlists of 10..30 tracks, 85% from one genre (Zipf within it), until enough pairs."""
    rng = np.random.default_rng(seed)
    genre = rng.integers(0, genres, tracks)
    pools = [np.flatnonzero(genre == g) for g in range(genres)]
    weights = [1.0 / (1.0 + np.arange(len(p))) ** 0.9 for p in pools]
    weights = [w / w.sum() for w in weights]
    names = [f"t{i:06d}" for i in range(tracks)]
    out: dict[str, list[str]] = {}
    total, i = 0, 0
    while total < interactions:
        g = int(rng.integers(genres))
        n = int(rng.integers(10, 31))
        n_in = min(int(rng.binomial(n, 0.85)), len(pools[g]))  # small --tracks: small genres
        picks = rng.choice(pools[g], n_in, replace=False, p=weights[g])
        picks = np.concatenate([picks, rng.integers(0, tracks, n - n_in)])
        lst = [names[t] for t in dict.fromkeys(picks.tolist())]
        out[f"p{i:06d}"] = lst
        total += len(lst)
        i += 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=200_000)
    parser.add_argument("--tracks", type=int, default=50_000)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--original-steps", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    from tunegraph.model._tf import configure_threads, tf, tf_keras, tfrs
    from tunegraph.model.data.export import load_export
    from tunegraph.model.data.split import SplitSettings, split_playlists
    from tunegraph.model.evaluation.heldout import evaluate_heldout
    from tunegraph.model.pipeline.training import FitSettings, fit, query_index_of
    from tunegraph.model.twotower.retrieval import RetrievalConfig, RetrievalModel, build_model

    configure_threads(args.threads)
    load = os.getloadavg()[0]
    print(f"host: {os.cpu_count()} cores, load average {load:.1f} at start (shared machine)")
    with tempfile.TemporaryDirectory(prefix="tunegraph-bench-") as tmp:
        start = time.perf_counter()
        playlists = generate(args.interactions, args.tracks, genres=100, seed=0)
        all_tracks = {f"t{i:06d}": {} for i in range(args.tracks)}  # every track a candidate
        root = write_export_dir(Path(tmp), playlists, all_tracks)
        data = load_export(root)
        print(
            f"data: {data.n_interactions:,} interactions, {len(data.playlist_ids):,} playlists,"
            f" {data.n_tracks:,} tracks (generated, exported, read in"
            f" {time.perf_counter() - start:.1f}s)"
        )

    split = split_playlists(
        data.playlist_tracks, SplitSettings(test_fraction=0.1, val_fraction=0.02)
    )
    config = RetrievalConfig()
    settings = FitSettings(epochs=args.epochs, batch_size=args.batch_size, ranker="tfrs")
    fitted = fit(data, split, config, settings)
    # the first epoch also traces the training graph: report the steady state after it
    epoch = float(np.median(fitted.epoch_seconds[1:] or fitted.epoch_seconds))
    rate = fitted.examples / epoch
    print(
        f"ours: {fitted.examples:,} training examples/epoch, steady epoch {epoch:.2f}s"
        f" (all: {', '.join(f'{s:.2f}' for s in fitted.epoch_seconds)}), {rate:,.0f} examples/s"
        f"  [goal < 10 s: {'met' if epoch < 10 else 'NOT met'}]"
    )

    rec = fitted.recommender
    test_q = query_index_of(data, split.test.rows)
    start = time.perf_counter()
    from tunegraph.model.twotower.retrieval import candidate_embeddings

    rec.candidates = candidate_embeddings(rec.model, data.n_tracks)
    rows = evaluate_heldout(rec, split.test, test_q, rec.train, data.n_tracks, baselines=False).rows
    ev = time.perf_counter() - start
    print(
        f"evaluation: {len(split.test):,} held-out playlists ranked over all"
        f" {data.n_tracks:,} candidates (embeddings included) in {ev:.2f}s"
        f"  [goal < 5 s: {'met' if ev < 5 else 'NOT met'}];"
        f" recall@50 {rows['two-tower']['recall@50']:.4f}"
    )

    rows_1k = np.arange(1000) % len(data.playlist_ids)
    seeds = [data.playlist_tracks[r] for r in rows_1k]
    q = query_index_of(data, rows_1k)
    start = time.perf_counter()
    rec.rank(q, seeds, 20, use_ranker=False)
    retr = time.perf_counter() - start
    start = time.perf_counter()
    rec.rank(q, seeds, 20, use_ranker=True)
    full = time.perf_counter() - start
    print(
        f"recommendations for 1,000 playlists (k=20): retrieval {retr:.2f}s"
        f"  [goal < 1 s: {'met' if retr < 1 else 'NOT met'}]; the whole pipeline (every"
        f" retriever, the ranker over the merged candidates): {full:.2f}s"
    )

    # The original project's way: FactorizedTopK over all candidates in every training step.
    t = data.tracks
    model = build_model(config, len(data.query_vocab), t)
    candidates = tf.data.Dataset.from_tensor_slices(np.arange(1, data.n_tracks + 1, dtype=np.int32))

    class Original(RetrievalModel):
        def __init__(self) -> None:
            super().__init__(model.query_tower, model.candidate_tower, config)
            self.task = tfrs.tasks.Retrieval(
                metrics=tfrs.metrics.FactorizedTopK(
                    candidates=candidates.batch(4096).map(self.candidate_tower)
                )
            )

        def compute_loss(self, features, training=False):
            q = self.query_tower(features["query"])
            c = self.candidate_tower(features["track"])
            return self.task(q, c, compute_metrics=True)

    from tunegraph.model.twotower.retrieval import context_matrix, training_dataset

    pair_rows, pair_tracks = split.train_pairs()
    contexts = context_matrix(split.train_tracks, config.max_context, 0)
    ds = training_dataset(
        config,
        pair_rows,
        pair_tracks,
        query_index_of(data, np.arange(len(data.playlist_ids))),
        contexts,
        args.batch_size,
        0,
    )
    original = Original()
    original.compile(optimizer=tf_keras.optimizers.Adagrad(0.05))
    steps = args.original_steps
    original.fit(ds.take(1), epochs=1, verbose=0)  # trace once, not timed
    start = time.perf_counter()
    original.fit(ds.take(steps), epochs=1, verbose=0)
    per_step = (time.perf_counter() - start) / steps
    n_steps = int(np.ceil(fitted.examples / args.batch_size))
    print(
        f"original way: {per_step:.2f}s per step x {n_steps} steps = {per_step * n_steps:.1f}s"
        f" per epoch (extrapolated from {steps} steps)"
    )
    print(
        f"RESULT epoch {epoch:.2f}s vs original {per_step * n_steps:.1f}s:"
        f" {per_step * n_steps / epoch:.1f}x faster; {rate:,.0f} examples/s;"
        f" eval {ev:.2f}s; 1,000 recs {retr:.2f}s; load average now {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
