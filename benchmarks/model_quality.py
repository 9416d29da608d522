"""Model quality on an MPD-shaped generated world: shape, baselines, oracle ceiling, pipeline.

The world comes from ``tunegraph.datasets.synthetic_mpd`` (calibrated to real MPD
playlists: long tail, artist clustering, cold hidden tracks, noisy names). It is written
as an export directory (the exporter's contract, ids as ``import mpd`` makes them) and
trained with the defaults through the API the CLI uses; the figures are the test
playlists of that run's own split (RecSys 2018 style: first 5, 10, 25 tracks or half
shown, the rest hidden), scored with the challenge's metrics over 500 recommendations.

The oracle ranks tracks by the generator's own probabilities for each test playlist: no
model that sees only the data can expect to beat it, so it is the ceiling.

Beside them, the calibration table (``_calibration``): each retriever alone on the same
test playlists, its ratio to ALS, and the same ratio measured on real MPD playlists.

Usage: .venv/bin/python benchmarks/model_quality.py [--playlists 10000] [--epochs 10]
       [--oracle-only]      (shape, baselines, oracle, retrievers alone; trains nothing)
       [--retrievers-only]  (shape, oracle, retrievers alone but the two-tower: fastest)
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from _calibration import (
    REAL_CATEGORIES,
    category_mean,
    print_calibration,
    real_like,
    retriever_alone_rows,
)
from tunegraph.datasets.shape_stats import format_table, shape_statistics
from tunegraph.datasets.synthetic_mpd import MpdShape, SyntheticMpd, generate_mpd
from tunegraph.testing.export_dir import records_export, spotify_id

METRICS = ("r_precision", "ndcg", "clicks", "recall@500", "recall@100")
K = 500


def oracle_row(world: SyntheticMpd, data, held) -> dict[str, float]:
    """Rank each test playlist's tracks by the generator's true probabilities."""
    from tunegraph.model.data.matrix import top_k_dense
    from tunegraph.model.metrics import mean_metrics

    uris = world.track_uris(np.arange(world.n_tracks))
    catalogue = {spotify_id(u): i for i, u in enumerate(uris)}
    cat_of = np.array([0] + [catalogue[t] for t in data.tracks.ids], np.int64)
    lists = []
    for row, seed in zip(held.rows, held.seeds, strict=True):
        pid = int(data.playlist_ids[row].split(":", 1)[1])
        scores = world.oracle_scores(pid)[cat_of].astype(np.float32)[None, :]
        lists.append(top_k_dense(scores, [seed], K)[0])
    return mean_metrics(lists, held.hidden)


def print_table(rows: dict[str, dict[str, float]]) -> None:
    print(f"\n| method | {' | '.join(METRICS)} |\n|---|{'---|' * len(METRICS)}")
    for name, values in rows.items():
        print(f"| {name} | {' | '.join(f'{values[m]:.4f}' for m in METRICS)} |")


def print_category_table(
    categories: dict[str, dict[str, dict[str, float]]], counts: dict[str, int]
) -> None:
    """R-precision and NDCG of the pipeline and ALS per challenge category."""
    if not categories:
        return
    print("\n| category | playlists | tunegraph R-prec | ALS R-prec | tunegraph NDCG | ALS NDCG |")
    print("|---|---|---|---|---|---|")
    for name, rows in categories.items():
        ours, als = rows["tunegraph"], rows["ALS"]
        print(
            f"| {name} | {counts[name]} | {ours['r_precision']:.4f} | {als['r_precision']:.4f}"
            f" | {ours['ndcg']:.4f} | {als['ndcg']:.4f} |"
        )


def print_goals(rows: dict[str, dict[str, float]]) -> None:
    als = rows["ALS"]
    if "popularity" in rows:
        co, pop = rows["co-occurrence"], rows["popularity"]
        order = als["r_precision"] > co["r_precision"] > pop["r_precision"]
        print(f"\nworld: ALS > co-occurrence > popularity on R-precision: {_met(order)}")
    ceiling = rows["oracle"]["r_precision"] / als["r_precision"]
    print(f"world: oracle R-precision {ceiling:.2f}x ALS (goal >= 1.5x): {_met(ceiling >= 1.5)}")
    if "tunegraph" not in rows:
        return
    ours = rows["tunegraph"]
    for metric in ("r_precision", "ndcg"):
        ratio = ours[metric] / als[metric]
        print(f"pipeline {metric} {ratio:.3f}x ALS (goal >= 1.10x): {_met(ratio >= 1.10)}")
    ok = ours["recall@500"] >= als["recall@500"]
    print(
        f"pipeline recall@500 {ours['recall@500']:.4f} vs ALS {als['recall@500']:.4f}"
        f" (goal >= ALS): {_met(ok)}"
    )


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--playlists", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2018, help="the world's seed")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--oracle-only", action="store_true", help="train nothing")
    parser.add_argument(
        "--retrievers-only", action="store_true", help="no training and no baselines"
    )
    args = parser.parse_args()

    from tunegraph.model.api import TrainSettings, train
    from tunegraph.model.data.export import load_export
    from tunegraph.model.data.matrix import Csr
    from tunegraph.model.data.split import SplitSettings, split_playlists
    from tunegraph.model.evaluation.heldout import RETRIEVAL, baseline_rows
    from tunegraph.model.metrics import list_length
    from tunegraph.model.ranker.candidates import SOURCES
    from tunegraph.model.retrievers.als import Als

    start = time.perf_counter()
    world = generate_mpd(MpdShape(playlists=args.playlists, seed=args.seed))
    rows = world.rows()
    print(
        f"world: {args.playlists:,} playlists, {len(rows):,} rows,"
        f" {rows.track_id.nunique():,} tracks, {rows.artist_id.nunique():,} artists"
    )
    print(format_table(shape_statistics(rows)))
    with tempfile.TemporaryDirectory(prefix="tunegraph-quality-") as tmp:
        data_dir = records_export(Path(tmp) / "export", world.iter_playlists())
        print(f"generated and exported in {time.perf_counter() - start:.1f}s")
        defaults = TrainSettings(data_dir=data_dir, model_dir=Path(tmp) / "model")
        data = load_export(data_dir)
        split = split_playlists(
            data.playlist_tracks,
            SplitSettings(defaults.test_fraction, defaults.val_fraction, seed=defaults.seed),
        )
        print(f"{len(split.test)} test playlists, {data.n_tracks:,} tracks in the export")
        train_view = Csr(split.train_tracks, data.n_tracks)
        als = Als.fit(train_view)
        categories: dict[str, dict[str, dict[str, float]]] = {}
        counts: dict[str, int] = {}
        if args.retrievers_only:
            table = {}
        elif args.oracle_only:
            k = list_length(split.test.hidden, data.n_tracks)
            table = baseline_rows(split.test, train_view, k, als)
        else:
            start = time.perf_counter()
            result = train(
                TrainSettings(
                    data_dir=data_dir,
                    model_dir=Path(tmp) / "model",
                    epochs=args.epochs,
                    threads=args.threads,
                    save_index=False,
                )
            )
            table = result.metrics
            categories, counts = result.categories, result.category_playlists
            print(
                f"trained in {time.perf_counter() - start:.1f}s: {result.examples:,} pairs,"
                f" {result.examples_per_second:,.0f} ex/s, best two-tower epoch"
                f" {result.best_epoch}, ranker {result.ranker}"
                f" {result.ranking_choice}"
            )
        start = time.perf_counter()
        like_real = real_like(split.test)
        alone = retriever_alone_rows(
            train_view,
            data.tracks,
            data.playlist_names,
            like_real,
            like_real.titles(data.playlist_names),
            [s for s in SOURCES if s != "tower"],
            als,
        )
        on_real_like = {}
        if categories:  # the two-tower model alone and the pipeline, as training scored them
            on_real_like = category_mean(categories, counts)
            alone["two-tower"] = on_real_like[RETRIEVAL]
        print(f"retrievers alone scored in {time.perf_counter() - start:.1f}s")
        table["oracle"] = oracle_row(world, data, split.test)
        table.setdefault("ALS", alone["ALS"])
    print_table(table)
    print_category_table(categories, counts)
    print_goals(table)
    print(f"\ncalibration on the {len(like_real)} test playlists of {', '.join(REAL_CATEGORIES)}")
    print_calibration(alone, on_real_like)


if __name__ == "__main__":
    main()
