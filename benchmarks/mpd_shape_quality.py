"""Is the MPD-shaped generated world a fair stand-in for the real MPD?

Two checks. First, its shape: the DESIGN.md statistics beside the real-MPD figures.
Second, the quality orderings real data shows, on the RecSys-2018-style split of
``tunegraph.datasets.shape_stats``: ALS > item co-occurrence > most popular, and an
oracle that ranks by the generator's own probabilities well above ALS (room for a
better model). Metrics are the challenge's, over 500 recommendations: R-precision,
NDCG (DCG = rel1 + sum_{i>=2} rel_i / log2 i, ideal over min(|hidden|, 500) hits) and
Recall@500. Hidden tracks never in training count as misses for every model but the
oracle, which ranks the whole catalogue.

Usage: .venv/bin/python benchmarks/mpd_shape_quality.py [--playlists 10000] [--seed 2018]
       [--no-als] [--threads 2]
"""

from __future__ import annotations

import argparse
import ast
import os
import time
from collections.abc import Sequence

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pandas as pd
from scipy import sparse

from tunegraph.datasets.shape_stats import format_table, recsys_split, shape_statistics
from tunegraph.datasets.synthetic_mpd import MpdShape, SyntheticMpd, generate_mpd
from tunegraph.model.baselines import Csr, cooccurrence_scores, top_k

K = 500


def challenge_metrics(ranked: np.ndarray, hidden: np.ndarray) -> tuple[float, float, float]:
    """(R-precision, NDCG, Recall@K) of one ranked list, as the RecSys 2018 challenge scores."""
    truth = set(hidden.tolist())
    hits = np.fromiter((t in truth for t in ranked[:K].tolist()), bool, min(K, len(ranked)))
    r_prec = hits[: len(truth)].sum() / len(truth)
    discount = np.ones(K)
    discount[1:] = 1.0 / np.log2(np.arange(2, K + 1))
    dcg = (hits * discount[: len(hits)]).sum()
    idcg = discount[: min(len(truth), K)].sum()
    return float(r_prec), float(dcg / idcg), float(hits.sum() / len(truth))


def evaluate(rankings: Sequence[np.ndarray], hidden: Sequence[np.ndarray]) -> dict[str, float]:
    m = np.array([challenge_metrics(r, h) for r, h in zip(rankings, hidden, strict=True)])
    return dict(zip(("r_precision", "ndcg", "recall@500"), m.mean(0).tolist(), strict=True))


def split_arrays(rows: pd.DataFrame, seed: int):
    """Training matrix over training tracks (ids 1..T), and per test playlist seeds/hidden."""
    train, hidden, kinds = recsys_split(rows, seed)
    train = train.drop_duplicates(["playlist_id", "track_id"])
    items = np.unique(train.track_id.to_numpy())
    users = np.unique(train.playlist_id.to_numpy())
    col = np.searchsorted(items, train.track_id.to_numpy()) + 1
    row = np.searchsorted(users, train.playlist_id.to_numpy())
    order = np.lexsort((col, row))
    row, col = row[order], col[order]
    bounds = np.searchsorted(row, np.arange(len(users) + 1))
    user_rows = [col[bounds[i] : bounds[i + 1]] for i in range(len(users))]
    test = np.array(sorted(kinds.index))
    test_users = np.searchsorted(users, test)
    hid = hidden.groupby("playlist_id").track_id.apply(np.asarray)
    return items, users, user_rows, test, test_users, [hid[p] for p in test]


def als_rankings(user_rows, n_items, test_users, threads: int) -> list[np.ndarray]:
    from implicit.als import AlternatingLeastSquares

    lengths = [len(r) for r in user_rows]
    mat = sparse.csr_matrix(
        (np.ones(sum(lengths), np.float32), np.concatenate(user_rows) - 1,
         np.concatenate([[0], np.cumsum(lengths)])),
        shape=(len(user_rows), n_items),
    )  # fmt: skip
    model = AlternatingLeastSquares(
        factors=128, regularization=0.05, alpha=20.0, iterations=15, num_threads=threads,
        random_state=0,
    )  # fmt: skip
    model.fit(mat, show_progress=False)
    ids, _ = model.recommend(
        test_users, mat[test_users], N=K, filter_already_liked_items=True, recalculate_user=True
    )
    return [r + 1 for r in ids]


def oracle_rankings(world: SyntheticMpd, test: np.ndarray, seeds) -> list[np.ndarray]:
    out = []
    for pid, seed in zip(test, seeds, strict=True):
        scores = world.oracle_scores(int(pid))
        scores[seed] = -np.inf
        part = np.argpartition(-scores, K)[:K]
        out.append(part[np.argsort(-scores[part], kind="stable")])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--playlists", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=2018)
    ap.add_argument("--no-als", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--set", action="append", default=[], metavar="KNOB=VALUE",
                    help="override an MpdShape knob, for calibration")  # fmt: skip
    args = ap.parse_args()
    knobs = {k: ast.literal_eval(v) for k, v in (a.split("=") for a in args.set)}

    started = time.perf_counter()
    world = generate_mpd(MpdShape(playlists=args.playlists, seed=args.seed, **knobs))
    rows = world.rows()
    took = time.perf_counter() - started
    print(f"generated {args.playlists:,} playlists, {len(rows):,} rows, "
          f"{rows.track_id.nunique():,} tracks, {rows.artist_id.nunique():,} artists "
          f"in {took:.1f} s (catalogue {world.n_tracks:,})")  # fmt: skip
    print(format_table(shape_statistics(rows)))

    items, _users, user_rows, test, test_users, hidden_cat = split_arrays(rows, args.seed)
    n = len(items)
    hidden = [np.searchsorted(items, h) + 1 for h in hidden_cat]
    hidden = [np.where(items[np.minimum(h - 1, n - 1)] == c, h, -1)
              for h, c in zip(hidden, hidden_cat, strict=True)]  # fmt: skip
    seeds = [user_rows[u] for u in test_users]
    train = Csr(user_rows, n)
    print(f"\n{len(test)} test playlists, {n:,} training tracks")

    results: dict[str, dict[str, float]] = {}
    t = time.perf_counter()
    pop = train.counts.astype(np.float64)
    pop[0] = -np.inf
    results["most popular"] = evaluate([top_k(pop, s, K) for s in seeds], hidden)
    tiebreak = 1e-9 * np.where(np.isfinite(pop), pop, 0) / pop[1:].max()
    results["co-occurrence"] = evaluate(
        [top_k(cooccurrence_scores(train, s) + tiebreak, s, K) for s in seeds], hidden
    )
    print(f"baselines {time.perf_counter() - t:.1f} s")
    if not args.no_als:
        t = time.perf_counter()
        results["ALS"] = evaluate(als_rankings(user_rows, n, test_users, args.threads), hidden)
        print(f"ALS {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    cat_seeds = [items[s - 1] for s in seeds]
    results["oracle"] = evaluate(oracle_rankings(world, test, cat_seeds), hidden_cat)
    print(f"oracle {time.perf_counter() - t:.1f} s")

    real = {"ALS": (0.133, 0.264), "co-occurrence": (0.110, 0.223), "most popular": (0.025, 0.065)}
    print(f"\n{'model':<14} {'R-prec':>7} {'NDCG':>7} {'Rec@500':>8}   real R-prec / NDCG")
    for name, m in results.items():
        ref = " / ".join(f"{v:.3f}" for v in real[name]) if name in real else ""
        print(f"{name:<14} {m['r_precision']:>7.3f} {m['ndcg']:>7.3f} {m['recall@500']:>8.3f}"
              f"   {ref}")  # fmt: skip
    if "ALS" in results:
        ratio = results["oracle"]["r_precision"] / results["ALS"]["r_precision"]
        print(f"oracle / ALS R-precision: {ratio:.2f}")


if __name__ == "__main__":
    main()
