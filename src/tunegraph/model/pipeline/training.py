"""Fit the retrieval model (keeping the epoch with the best validation recall) and the ranker.

Model selection uses validation playlists only: the best two-tower epoch by validation
Recall@50, and the ranker (TFRS listwise or gradient-boosted trees) by the challenge's
NDCG on one half of the validation playlists after fitting on the other half; the winner
then learns from all validation playlists. Test playlists are never looked at here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from tunegraph.model._tf import tf, tf_keras
from tunegraph.model.data.export import ExportData
from tunegraph.model.data.matrix import Csr
from tunegraph.model.data.split import HeldOut, Split
from tunegraph.model.metrics import mean_metrics
from tunegraph.model.pipeline.recommender import Recommender
from tunegraph.model.ranker.gbdt import GbdtConfig, fit_gbdt
from tunegraph.model.ranker.tfrs import Ranker, RankingConfig, fit_ranker, rerank
from tunegraph.model.retrievers.als import Als, AlsConfig
from tunegraph.model.twotower.cluster import Cluster
from tunegraph.model.twotower.distributed import make_strategy, worker_share
from tunegraph.model.twotower.retrieval import (
    RetrievalConfig,
    RetrievalModel,
    build_model,
    candidate_embeddings,
    context_matrix,
    query_embeddings,
    query_inputs,
    top_k_scored,
    training_dataset,
)

EpochCallback = Callable[[int, int, float, float], None]  # epoch, epochs, loss, val recall@50
VAL_METRIC = "recall@50"
VAL_RANK_METRIC = "ndcg"


@dataclass
class FitSettings:
    epochs: int = 10
    batch_size: int = 1024
    learning_rate: float = 0.05
    optimizer: str = "adagrad"  # adagrad | adam
    seed: int = 42
    ranker: str = "auto"  # auto | tfrs | gbdt | none
    threads: int = 0  # the gradient-boosted ranker's (0: every core)
    cluster: Cluster | None = None  # several machines train the two-tower model together


@dataclass
class FitResult:
    recommender: Recommender
    losses: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
    best_epoch: int = 0
    epoch_seconds: list[float] = field(default_factory=list)  # model.fit alone
    validation_seconds: list[float] = field(default_factory=list)  # the recall after each
    examples: int = 0
    ranking_choice: dict[str, float] = field(default_factory=dict)  # validation NDCG per ranker
    ranker: str = "none"
    shard_policy: str = ""  # file | data when several workers trained; "" on one machine


def query_index_of(data: ExportData, rows: np.ndarray) -> np.ndarray:
    """Index of each playlist row's query id in the query vocabulary (+1; 0 = unknown)."""
    vocab = {q: i + 1 for i, q in enumerate(data.query_vocab)}
    return np.array([vocab.get(data.query_ids[r], 0) for r in rows], np.int32)


def steps_per_epoch(examples: int, global_batch: int) -> int:
    """Steps of a distributed epoch: as many as one machine takes over all the pairs.

    Keras needs a step count for a distributed dataset, and every worker must take the
    same number of steps (each one is an all-reduce), while FILE shares can be uneven:
    so each worker repeats its share and draws ``steps`` per-replica batches from it.
    """
    return max(1, -(-examples // global_batch))


def _val_recall(
    model: RetrievalModel, config: RetrievalConfig, n_tracks: int, held: HeldOut, qix: np.ndarray
) -> float:
    """The two-tower model's recall over the validation lists that show tracks (a
    title-only list gives it nothing to go on)."""
    seeded = np.flatnonzero([len(s) > 0 for s in held.seeds])
    if not len(seeded):
        return 0.0
    held = held.subset(seeded)
    queries = query_embeddings(model, query_inputs(config, qix[seeded], held.seeds))
    ranked, _ = top_k_scored(queries, candidate_embeddings(model, n_tracks), held.seeds, 100)
    return mean_metrics(list(ranked), held.hidden)[VAL_METRIC]


def fit(
    data: ExportData,
    split: Split,
    config: RetrievalConfig,
    settings: FitSettings,
    on_epoch: EpochCallback | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> FitResult:
    """Train retrieval on the split's training view, then choose and fit the ranker.

    With ``settings.cluster`` the two-tower model trains on every worker at once (see
    ``tunegraph.model.twotower.distributed``); what follows (best epoch, ALS, the ranker) is the
    same deterministic work on every worker, from the same weights.
    """
    strategy = make_strategy(settings.cluster)  # first: before TF executes anything
    tf_keras.utils.set_random_seed(settings.seed)
    stage = on_stage or (lambda _: None)
    row_query = query_index_of(data, np.arange(len(data.playlist_ids)))
    optimizers = {"adagrad": tf_keras.optimizers.Adagrad, "adam": tf_keras.optimizers.Adam}
    with strategy.scope():
        model = build_model(config, len(data.query_vocab), data.tracks)
        model.compile(optimizer=optimizers[settings.optimizer](settings.learning_rate))
    ds, steps, policy = _training_input(data, split, config, settings, strategy, row_query)
    train = Csr(split.train_tracks, data.n_tracks)
    val_q = row_query[split.val.rows]
    log = EpochLog()

    def val_recall() -> float:
        if not len(split.val):
            return 0.0
        return _val_recall(model, config, data.n_tracks, split.val, val_q)

    _train_epochs(model, ds, steps, val_recall, settings.epochs, log, on_epoch)
    del ds  # its tensors hold every training pair: gone before ALS and the ranker
    stage("fitting ALS")
    als = Als.fit(train, AlsConfig(seed=settings.seed))
    retrieval = Recommender(
        config,
        model,
        candidate_embeddings(model, data.n_tracks),
        train,
        data.tracks,
        playlist_names=list(data.playlist_names),
        als=als,
    )
    stage("fitting the ranker on validation playlists")
    # titles only where the list's category shows one: the ranker also learns from
    # nameless lists, and serves them (``recommend --tracks``) as well as named ones
    val_names = split.val.titles(data.playlist_names)
    kind, ranker, choice = _fit_ranking(retrieval, split.val, val_q, val_names, settings)
    return FitResult(
        replace(retrieval, ranker=ranker),  # the same retrievers, built once
        losses=log.losses,
        val_metric=log.val_metric,
        best_epoch=log.best_epoch,
        epoch_seconds=log.epoch_seconds,
        validation_seconds=log.validation_seconds,
        examples=sum(len(t) for t in split.train_tracks),
        ranking_choice=choice,
        ranker=kind,
        shard_policy=policy,
    )


def _training_input(
    data: ExportData,
    split: Split,
    config: RetrievalConfig,
    settings: FitSettings,
    strategy: tf.distribute.Strategy,
    row_query: np.ndarray,
) -> tuple[Any, int | None, str]:
    """The (query, track) pairs as batches: one pipeline here, or one per worker (each its
    share of the part files) with the step count every worker must agree on."""
    pair_rows, pair_tracks = split.train_pairs()
    contexts = context_matrix(split.train_tracks, config.max_context, settings.seed)
    if settings.cluster is None:
        ds = training_dataset(
            config, pair_rows, pair_tracks, row_query, contexts, settings.batch_size, settings.seed
        )
        return ds, None, ""
    cluster = settings.cluster
    share, policy = worker_share(
        pair_rows, data.playlist_part, data.n_parts, cluster.size, cluster.index
    )

    def worker_dataset(context: tf.distribute.InputContext) -> tf.data.Dataset:
        # one input pipeline per worker: its share, in per-replica batches
        return training_dataset(
            config,
            pair_rows,
            pair_tracks,
            row_query,
            contexts,
            context.get_per_replica_batch_size(settings.batch_size),
            settings.seed + context.input_pipeline_id,
            keep=share,
        ).repeat()

    ds = strategy.distribute_datasets_from_function(worker_dataset)
    return ds, steps_per_epoch(len(pair_tracks), settings.batch_size), policy


@dataclass
class EpochLog:
    """What each epoch measured, filled as training goes."""

    losses: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
    best_epoch: int = 0
    epoch_seconds: list[float] = field(default_factory=list)
    validation_seconds: list[float] = field(default_factory=list)


def _train_epochs(
    model: RetrievalModel,
    ds: Any,
    steps: int | None,
    val_recall: Callable[[], float],
    epochs: int,
    log: EpochLog,
    on_epoch: EpochCallback | None,
) -> None:
    """Fit epoch by epoch and keep the weights of the epoch with the best validation recall."""
    best, best_weights = -1.0, None
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        history = model.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0)
        log.epoch_seconds.append(time.perf_counter() - start)
        loss = float(history.history["loss"][-1])
        start = time.perf_counter()
        metric = val_recall()
        log.validation_seconds.append(time.perf_counter() - start)
        log.losses.append(loss)
        log.val_metric.append(metric)
        if metric > best:
            best, best_weights, log.best_epoch = metric, model.get_weights(), epoch
        if on_epoch:
            on_epoch(epoch, epochs, loss, metric)
    if best_weights is not None:
        model.set_weights(best_weights)


RANKER_LISTS = 5_000  # validation lists the ranker learns from; features [lists, candidates, F]


def _ranker_lists(
    val: HeldOut, val_q: np.ndarray, names: list[str], seed: int
) -> tuple[HeldOut, np.ndarray, list[str]]:
    """At most RANKER_LISTS validation lists (a seeded sample): millions of candidate rows
    are plenty for a ranker of a few thousand weights, and memory stays bounded."""
    if len(val) <= RANKER_LISTS:
        return val, val_q, names
    keep = np.sort(np.random.default_rng(seed).choice(len(val), RANKER_LISTS, replace=False))
    return val.subset(keep), val_q[keep], [names[i] for i in keep]


RANKERS: tuple[str, ...] = ("tfrs", "gbdt")  # what --ranker auto compares


def fit_ranker_of(
    kind: str, x: np.ndarray, relevant: np.ndarray, mask: np.ndarray, settings: FitSettings
) -> Ranker:
    """One ranker of ``RANKERS`` trained on [Q, C, F] candidate features."""
    if kind == "gbdt":
        return fit_gbdt(GbdtConfig(seed=settings.seed, threads=settings.threads), x, relevant, mask)
    return fit_ranker(RankingConfig(objective="listwise", seed=settings.seed), x, relevant, mask)


def _fit_ranking(
    rec: Recommender,
    val: HeldOut,
    val_q: np.ndarray,
    val_names: list[str],
    settings: FitSettings,
) -> tuple[str, Ranker | None, dict[str, float]]:
    """Pick the ranker on validation halves (A fits, B judges), then refit on all of it:
    (its kind, the ranker, each compared kind's validation NDCG); ("none", None, ...)
    where there is nothing to learn from."""
    choice = settings.ranker
    scored: dict[str, float] = {}
    if choice == "none" or len(val) < 4:
        return "none", None, scored
    val, val_q, val_names = _ranker_lists(val, val_q, val_names, settings.seed)
    batch = rec.candidate_arrays(val.seeds, val_names, val_q)
    x, heads, mask = batch.features, batch.indices, batch.mask
    relevant = np.array([np.isin(h, hid) for h, hid in zip(heads, val.hidden, strict=True)])
    order = np.random.default_rng(settings.seed).permutation(len(val))
    a, b = order[: len(order) // 2], order[len(order) // 2 :]
    hidden_b = [val.hidden[i] for i in b]
    candidates = [choice] if choice != "auto" else list(RANKERS)
    for kind in candidates if len(candidates) > 1 else []:
        try:
            ranker = fit_ranker_of(kind, x[a], relevant[a], mask[a], settings)
        except ValueError:
            continue
        ranked = rerank(ranker, heads[b], x[b], mask[b])
        scored[kind] = mean_metrics(list(ranked), hidden_b)[VAL_RANK_METRIC]
    winner = max(scored, key=lambda o: scored[o]) if scored else candidates[0]
    try:
        return winner, fit_ranker_of(winner, x, relevant, mask, settings), scored
    except ValueError:  # no validation list has a hit among its candidates
        return "none", None, scored
