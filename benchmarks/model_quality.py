"""Model quality on a structured generated world: retrieval vs baselines vs retrieval+ranking.

The world comes from the simulator's generator (``tunegraph.simulator.world``): genres,
artists, users favouring genres, Zipf popularity. It is written as an export directory
(the exporter's contract) and trained through the same API the CLI uses. Track
popularity is left out of the export: in the simulator it is computed from the very
playlists we hold out, and Spotify strips it in development mode anyway.

Oracle rows (``_oracle``) bound what any model can reach on this world: ranking by the
generator's true per-playlist probabilities, and by those inferred from the seed (and
the owner's other playlists).
``--oracle-only`` prints them with the baselines and trains nothing.

Usage: .venv/bin/python benchmarks/model_quality.py [--playlists 5000] [--epochs 10]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _oracle import GenerativeTruth, generate_with_truth, oracle_metrics
from support.export_data import write_export_dir

METRICS = ("recall@10", "recall@50", "recall@100", "ndcg@100", "r_precision")


def world_export(root: Path, playlists: int, seed: int) -> tuple[Path, GenerativeTruth]:
    from tunegraph.simulator.world import WorldConfig

    config = WorldConfig(
        seed=seed, playlists=playlists, users=playlists // 5, artists=800, tracks=12000, genres=30
    )
    world, truth = generate_with_truth(config)
    artist_names = {a.id: a.name for a in world.artists.values()}
    meta = {
        t.id: {
            "name": t.name,
            "artist_ids": list(t.artist_ids),
            "artist_names": [artist_names[a] for a in t.artist_ids],
            "album_id": t.album_id,
            **t.audio_features,
        }
        for t in world.tracks.values()
    }
    lists = {p.id: list(p.track_ids) for p in world.playlists.values() if p.track_ids}
    owners = {p.id: p.owner_id for p in world.playlists.values() if p.track_ids}
    return write_export_dir(root, lists, meta, owners=owners), truth


def oracle_rows(data_dir: Path, truth: GenerativeTruth) -> dict[str, dict[str, float]]:
    """Baselines and oracles on the test playlists of the split ``train`` makes."""
    from tunegraph.model.api import TrainSettings
    from tunegraph.model.baselines import Csr
    from tunegraph.model.data import load_export
    from tunegraph.model.evaluation import evaluate_heldout
    from tunegraph.model.split import SplitSettings, split_playlists

    defaults = TrainSettings(data_dir=data_dir, model_dir=data_dir)
    data = load_export(data_dir)
    split = split_playlists(
        data.playlist_tracks,
        SplitSettings(
            test_fraction=defaults.test_fraction,
            val_fraction=defaults.val_fraction,
            seed=defaults.seed,
        ),
    )
    train = Csr(split.train_tracks, data.n_tracks)
    rows = evaluate_heldout(None, split.test, np.zeros(0, np.int32), train, data.n_tracks)
    return {**rows, **oracle_metrics(truth, data, split.test, split.train_tracks)}


def print_table(rows: dict[str, dict[str, float]]) -> None:
    print(f"\n| model | {' | '.join(METRICS)} |\n|---|{'---|' * len(METRICS)}")
    for name, values in rows.items():
        print(f"| {name} | {' | '.join(f'{values[m]:.4f}' for m in METRICS)} |")


def print_ceiling(rows: dict[str, dict[str, float]]) -> None:
    pop = rows["popularity"]["recall@50"]
    for name in ("oracle", "seed+owner oracle", "seed-only oracle"):
        print(
            f"ceiling: {name} recall@50 is {rows[name]['recall@50'] / max(pop, 1e-9):.2f}x"
            " popularity"
        )


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--playlists", type=int, default=5000)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--oracle-only", action="store_true", help="baselines and oracles only, no training"
    )
    args = parser.parse_args()

    from tunegraph.model.api import TrainSettings, train

    with tempfile.TemporaryDirectory(prefix="tunegraph-quality-") as tmp:
        start = time.perf_counter()
        data, truth = world_export(Path(tmp) / "export", args.playlists, args.seed)
        print(
            f"world: {args.playlists} playlists generated and exported in "
            f"{time.perf_counter() - start:.1f}s"
        )
        ceiling = oracle_rows(data, truth)
        if args.oracle_only:
            print_table(ceiling)
            print()
            print_ceiling(ceiling)
            return
        results = {}
        for tower in ("pooled", "id"):
            start = time.perf_counter()
            results[tower] = train(
                TrainSettings(
                    data_dir=data,
                    model_dir=Path(tmp) / tower,
                    epochs=args.epochs,
                    query_tower=tower,
                    threads=args.threads,
                    save_index=False,
                )
            )
            r = results[tower]
            print(
                f"{tower:6s} tower: {r.examples} training pairs, best epoch {r.best_epoch},"
                f" {r.examples_per_second:,.0f} ex/s, {time.perf_counter() - start:.1f}s in all;"
                f" ranking chosen on validation: {r.ranking_objective} {r.ranking_choice}"
            )
    pooled, ident = results["pooled"].metrics, results["id"].metrics
    if pooled["popularity"] != ceiling["popularity"]:
        raise RuntimeError("the oracle rows were scored on another split than training's")
    rows = {
        "popularity": pooled["popularity"],
        "co-occurrence": pooled["co-occurrence"],
        "retrieval (id tower)": ident["retrieval"],
        "retrieval (pooled tower)": pooled["retrieval"],
    }
    for tower, metrics in (("pooled", pooled), ("id", ident)):
        if "retrieval+ranking" in metrics:
            rows[f"retrieval ({tower}) + ranking"] = metrics["retrieval+ranking"]
    for name in ("seed-only oracle", "seed+owner oracle", "oracle"):
        rows[name] = ceiling[name]
    print_table(rows)
    best = "pooled" if pooled["retrieval"]["recall@50"] >= ident["retrieval"]["recall@50"] else "id"
    ret = results[best].metrics["retrieval"]
    pop, co = pooled["popularity"], pooled["co-occurrence"]
    print(
        f"\nbetter query tower: {best} (recall@50 pooled {pooled['retrieval']['recall@50']:.4f}"
        f" vs id {ident['retrieval']['recall@50']:.4f})"
    )
    ratio = ret["recall@50"] / max(pop["recall@50"], 1e-9)
    print(
        f"goal retrieval >= 3x popularity on recall@50: {ratio:.2f}x ->"
        f" {'met' if ratio >= 3 else 'NOT met'}"
    )
    print(
        f"goal retrieval >= co-occurrence on recall@100: {ret['recall@100']:.4f} vs"
        f" {co['recall@100']:.4f} -> {_met(ret['recall@100'] >= co['recall@100'])}"
    )
    print_ceiling(ceiling)
    pipe = results[best].metrics.get("retrieval+ranking")
    if pipe is None:
        print(
            "goal pipeline > retrieval on ndcg@100: no ranking objective beat retrieval order"
            " on validation, so the default keeps retrieval order"
        )
    else:
        print(
            f"goal pipeline > retrieval on ndcg@100: {pipe['ndcg@100']:.4f} vs"
            f" {ret['ndcg@100']:.4f} -> {_met(pipe['ndcg@100'] > ret['ndcg@100'])}"
        )


if __name__ == "__main__":
    main()
