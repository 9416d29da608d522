"""The library API the CLI calls: ``train``, ``evaluate``, ``recommend``.

Each takes plain settings and returns plain results; errors a user can cause are
``ModelError`` subclasses with a one-line message. Nothing here reads the environment.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tunegraph import export_format as F
from tunegraph.model._tf import configure_threads
from tunegraph.model.data.export import ExportData, load_export
from tunegraph.model.data.matrix import Csr
from tunegraph.model.data.split import SplitSettings, split_playlists
from tunegraph.model.errors import DataError, ModelDirError
from tunegraph.model.evaluation.heldout import HeldOutScores, evaluate_heldout
from tunegraph.model.evaluation.plots import comparison_title, plot_comparison, plot_training_curves
from tunegraph.model.pipeline.artifacts import LoadedModel, load_model, save_model
from tunegraph.model.pipeline.recommender import Recommender
from tunegraph.model.pipeline.training import (
    EpochCallback,
    FitResult,
    FitSettings,
    fit,
    query_index_of,
)
from tunegraph.model.retrievers.als import Als
from tunegraph.model.serving.answers import Recommendation
from tunegraph.model.serving.engine import Model, check_k
from tunegraph.model.stages import StageCallback, StageTimer
from tunegraph.model.twotower.cluster import Cluster
from tunegraph.model.twotower.retrieval import RetrievalConfig
from tunegraph.model.twotower.towers import QUERY_TOWERS
from tunegraph.output_file import check_output_file, image_format, publish_file
from tunegraph.outputs import check_output_dir, publish_dir


@dataclass
class TrainSettings:
    """Everything ``tunegraph train`` can set; defaults are the tuned ones (see docs/guide.md)."""

    data_dir: Path
    model_dir: Path
    epochs: int = 10
    batch_size: int = 1024
    embedding_dim: int = 32
    learning_rate: float = 0.05
    temperature: float = 0.1
    seed: int = 42
    query_tower: str = "pooled"
    ranker: str = "auto"  # auto (the better on validation) | tfrs | gbdt | none
    test_fraction: float = 0.1
    val_fraction: float = 0.2  # the ranker learns from these: more lists, a better ranker
    threads: int | None = None
    save_index: bool = True
    cluster: Cluster | None = None  # train the two-tower model on these machines together
    worker_dir: Path | None = None  # a non-chief worker's copy (default: temporary, removed)


@dataclass
class TrainResult:
    model_dir: Path
    metrics: dict[str, dict[str, float]]  # {model or baseline: {metric: value}}, all test lists
    epochs: int
    best_epoch: int
    examples: int
    seconds: float
    examples_per_second: float
    ranker: str  # the ranker kept, or "none"
    ranking_choice: dict[str, float] = field(default_factory=dict)
    losses: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    validation_seconds: list[float] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)  # where the time went
    shard_policy: str = ""  # file | data on several workers
    # the same figures per challenge category: {category: {method: {metric: value}}}
    categories: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    category_playlists: dict[str, int] = field(default_factory=dict)  # test lists per category
    wrote_model: bool = True  # False on a non-chief worker: the chief writes the model


@dataclass
class EvalSettings:
    model_dir: Path
    data_dir: Path | None = None  # default: the directory the model was trained on
    json_path: Path | None = None
    plot_path: Path | None = None
    threads: int | None = None


@dataclass
class EvalReport:
    rows: dict[str, dict[str, float]]  # {model or baseline: {metric: value}}
    playlists: int  # held-out test playlists scored
    data_dir: Path
    # the same figures per challenge category: {category: {method: {metric: value}}}
    categories: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    category_playlists: dict[str, int] = field(default_factory=dict)  # test lists per category

    def to_json(self) -> dict[str, Any]:
        return {
            "playlists": self.playlists,
            "data_dir": str(self.data_dir),
            "rows": self.rows,
            "categories": self.categories,
            "category_playlists": self.category_playlists,
        }


def _split_settings(cfg: dict[str, Any]) -> SplitSettings:
    return SplitSettings(**cfg)


def train(
    settings: TrainSettings,
    on_epoch: EpochCallback | None = None,
    on_stage: StageCallback | None = None,
) -> TrainResult:
    """Load the export, split by playlist, fit retrieval and ranking, score the test
    playlists next to the baselines, and write the model directory."""
    if settings.query_tower not in QUERY_TOWERS:
        raise DataError(f"unknown query tower {settings.query_tower!r}: use pooled or id")
    stage = StageTimer(on_stage)
    target = _output_target(settings)
    if target is not None:  # refuse a folder that is not ours before hours of training
        check_output_dir(target, "train")
    configure_threads(settings.threads)
    start = time.perf_counter()
    stage("reading the export")
    data = load_export(settings.data_dir)
    split_cfg = SplitSettings(
        test_fraction=settings.test_fraction, val_fraction=settings.val_fraction, seed=settings.seed
    )
    split = split_playlists(data.playlist_tracks, split_cfg)
    stage("training the two-tower model")
    fitted = fit(data, split, _retrieval_config(settings), _fit_settings(settings), on_epoch, stage)
    stage("scoring held-out playlists")
    rec = fitted.recommender
    test_q = query_index_of(data, split.test.rows)
    scores = evaluate_heldout(
        rec, split.test, test_q, rec.train, data.n_tracks, names=data.playlist_names
    )
    stage("refitting the retrievers on every playlist")
    serving = serving_recommender(rec, data.playlist_tracks)
    seconds = time.perf_counter() - start
    stage("saving the model")
    out, scratch = _output_dir(settings)
    result = _train_result(settings, fitted, scores, seconds, out)
    run_config = {
        "data_dir": str(Path(settings.data_dir).resolve()),
        "query_entity": data.manifest[F.MANIFEST_QUERY_ENTITY],
        "split": asdict(split_cfg),
        "train": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(settings).items()},
    }
    with _model_folder(out, scratch) as folder:
        save_model(
            folder,
            serving=serving,
            evaluation=rec,
            manifest=data.manifest,
            config=run_config,
            playlist_ids=data.playlist_ids,
            playlist_query=query_index_of(data, np.arange(len(data.playlist_ids))),
            query_vocab=data.query_vocab,
            save_index=settings.save_index,
        )
        _write_report(folder, result, stage, fitted)
    return result


def _retrieval_config(settings: TrainSettings) -> RetrievalConfig:
    return RetrievalConfig(
        query_tower=settings.query_tower,
        embedding_dim=settings.embedding_dim,
        temperature=settings.temperature,
    )


def _fit_settings(settings: TrainSettings) -> FitSettings:
    return FitSettings(
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        learning_rate=settings.learning_rate,
        seed=settings.seed,
        ranker=settings.ranker,
        threads=settings.threads or 0,
        cluster=settings.cluster,
    )


def _train_result(
    settings: TrainSettings,
    fitted: FitResult,
    scores: HeldOutScores,
    seconds: float,
    out: Path,
) -> TrainResult:
    train_seconds = sum(fitted.epoch_seconds)
    return TrainResult(
        model_dir=out,
        metrics=scores.rows,
        epochs=settings.epochs,
        best_epoch=fitted.best_epoch,
        examples=fitted.examples,
        seconds=seconds,
        examples_per_second=fitted.examples * len(fitted.epoch_seconds) / max(train_seconds, 1e-9),
        ranker=fitted.ranker,
        ranking_choice=fitted.ranking_choice,
        losses=fitted.losses,
        val_metric=fitted.val_metric,
        epoch_seconds=fitted.epoch_seconds,
        validation_seconds=fitted.validation_seconds,
        shard_policy=fitted.shard_policy,
        categories=scores.categories,
        category_playlists=scores.counts,
        wrote_model=settings.cluster is None or settings.cluster.is_chief,
    )


@contextmanager
def _model_folder(out: Path, scratch: bool) -> Iterator[Path]:
    """The folder the model is written into: a copy beside --out swapped in whole when the
    block ends (an interrupted train leaves the earlier model as it was, never new weights
    beside old settings), or a worker's scratch copy, removed afterwards."""
    with nullcontext(out) if scratch else publish_dir(out, "train") as folder:
        yield folder
    if scratch:
        shutil.rmtree(out, ignore_errors=True)


def _write_report(folder: Path, result: TrainResult, stage: StageTimer, fitted: FitResult) -> None:
    """metrics.json (the result, stage times included) and the training curves."""
    result.stage_seconds = stage.finish()
    report = {k: v for k, v in asdict(result).items() if k != "model_dir"}
    (folder / "metrics.json").write_text(json.dumps(report, indent=2), "utf-8")
    plot_training_curves(
        fitted.losses, fitted.val_metric, "recall@50", folder / "curves.png", fitted.best_epoch
    )


def _output_target(settings: TrainSettings) -> Path | None:
    """The folder this process publishes: the chief's --out, a worker's --worker-dir, or
    None for a worker's temporary copy."""
    cluster = settings.cluster
    if cluster is None or cluster.is_chief:
        return Path(settings.model_dir)
    return None if settings.worker_dir is None else Path(settings.worker_dir)


def _output_dir(settings: TrainSettings) -> tuple[Path, bool]:
    """Where this process writes, and whether that is scratch to remove afterwards.

    Only the chief (worker 0) writes the model directory: workers writing one directory
    at once would corrupt it. The others write their copy to ``worker_dir`` if given,
    else to a temporary directory removed at the end (as TensorFlow's multi-worker
    guide does), which keeps every worker's code path the same.
    """
    target = _output_target(settings)
    if target is not None:
        return target, False
    index = settings.cluster.index if settings.cluster is not None else 0
    return Path(tempfile.mkdtemp(prefix=f"tunegraph-worker{index}-")), True


def evaluate(settings: EvalSettings) -> EvalReport:
    """Score the saved pipeline and both baselines on the test playlists of its split."""
    for given in (settings.json_path, settings.plot_path):
        if given:
            check_output_file(given)  # before the model loads: a bad path fails at once
    configure_threads(settings.threads)
    loaded = load_model(settings.model_dir)
    data_dir = Path(settings.data_dir or loaded.config["data_dir"])
    data = load_export(data_dir)
    check_same_data(loaded, data)
    split = split_playlists(data.playlist_tracks, _split_settings(loaded.config["split"]))
    rec = loaded.evaluation_recommender()
    test_q = query_index_of(data, split.test.rows)
    scores = evaluate_heldout(
        rec, split.test, test_q, rec.train, data.n_tracks, names=data.playlist_names
    )
    report = EvalReport(
        rows=scores.rows,
        playlists=len(split.test),
        data_dir=data_dir,
        categories=scores.categories,
        category_playlists=scores.counts,
    )
    if settings.json_path:
        with publish_file(settings.json_path) as tmp:
            tmp.write_text(json.dumps(report.to_json(), indent=2), "utf-8")
    if settings.plot_path:
        with publish_file(settings.plot_path) as tmp:
            title = comparison_title(report.playlists, data_dir)
            plot_comparison(scores.rows, tmp, image_format(Path(settings.plot_path)), title)
    return report


def check_same_data(loaded: LoadedModel, data: ExportData) -> None:
    """Refuse to score a model on an export other than the one it was trained on."""
    if data.checksum != loaded.config["data_checksum"]:
        raise ModelDirError(
            f"model {loaded.path} was trained on data with checksum"
            f" {loaded.config['data_checksum']}, not {data.checksum}: retrain it on this export"
        )


def recommend(
    model_dir: str | Path,
    playlist_id: str | None = None,
    track_ids: Sequence[str] | None = None,
    k: int = 20,
    name: str | None = None,
    explain: bool = False,
) -> list[Recommendation]:
    """Top-k new tracks for a known playlist, or for track ids and/or a title, from a
    model read for this one call (``tunegraph.load_model`` keeps one for many calls)."""
    check_k(k)
    model = Model(load_model(model_dir), warm=False)
    return model.recommend(playlist_id, track_ids, name, k, explain)


def serving_recommender(rec: Recommender, playlist_tracks: list[np.ndarray]) -> Recommender:
    """The pipeline ``recommend`` serves: the same two-tower model and ranker, with ALS,
    the neighbour methods and the name index refit on every playlist, the held-out ones
    whole (a playlist held out for the figures is not lost to the user)."""
    if rec.als is None:
        raise ValueError("the retrievers are refit after ALS was fitted on the training view")
    full = Csr(playlist_tracks, rec.train.n_tracks)
    return rec.refit_on(full, Als.fit(full, rec.als.config))
