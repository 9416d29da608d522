"""The retrieval model: two towers, in-batch softmax (tfrs.tasks.Retrieval), fast evaluation.

Training computes only the in-batch loss; top-K over all candidates is done at
evaluation from candidate embeddings computed once, in batches of >= 4096 (computing
FactorizedTopK inside every training step made the original project 12-25x slower).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tunegraph.model._tf import tf, tf_keras, tfrs
from tunegraph.model.data.export import TrackTable
from tunegraph.model.data.matrix import SCORE_CELLS
from tunegraph.model.metrics import Ids
from tunegraph.model.twotower.towers import CandidateTower, IdQueryTower, PooledQueryTower

CANDIDATE_BATCH = 4096


@dataclass(frozen=True)
class RetrievalConfig:
    """Hyper-parameters of the retrieval model (saved as JSON beside the weights)."""

    query_tower: str = "pooled"
    embedding_dim: int = 32
    layers: tuple[int, ...] = (64,)
    temperature: float = 0.1
    normalize: bool = True
    max_context: int = 50
    context_keep_min: float = 0.2  # pooled: keep a random 20..100% of the context per example
    sampling_correction: bool = True  # logQ: undo in-batch negatives' bias against hits


class RetrievalModel(tfrs.Model):
    """Query tower + candidate tower + Retrieval task; the loss is in-batch softmax."""

    def __init__(
        self, query_tower: tf_keras.Model, candidate_tower: tf_keras.Model, config: RetrievalConfig
    ) -> None:
        super().__init__()
        self.query_tower = query_tower
        self.candidate_tower = candidate_tower
        self.config = config
        self.task = tfrs.tasks.Retrieval(
            temperature=config.temperature, remove_accidental_hits=True
        )

    def query_embedding(self, query: tf.Tensor, training: bool = False) -> tf.Tensor:
        out = self.query_tower(query, training=training)
        return tf.math.l2_normalize(out, axis=-1) if self.config.normalize else out

    def candidate_embedding(self, track: tf.Tensor, training: bool = False) -> tf.Tensor:
        out = self.candidate_tower(track, training=training)
        return tf.math.l2_normalize(out, axis=-1) if self.config.normalize else out

    def compute_loss(self, features: dict[str, tf.Tensor], training: bool = False) -> tf.Tensor:
        queries = self.query_embedding(features["query"], training=training)
        candidates = self.candidate_embedding(features["track"], training=training)
        prob = features.get("prob") if self.config.sampling_correction else None
        return self.task(
            queries,
            candidates,
            candidate_ids=features["track"],
            candidate_sampling_probability=prob,
            compute_metrics=False,
        )


def build_model(config: RetrievalConfig, n_queries: int, tracks: TrackTable) -> RetrievalModel:
    """Build towers and model, and create their variables (so weights can be loaded)."""
    dim, layers = config.embedding_dim, config.layers
    n_tracks = len(tracks.ids)
    if config.query_tower == "id":
        query: tf_keras.Model = IdQueryTower(n_queries, dim, layers)
        query(tf.zeros([1], tf.int32))
    else:
        query = PooledQueryTower(n_tracks, dim, layers)
        query(tf.zeros([1, 1], tf.int32))
    candidate = CandidateTower(
        n_tracks, tracks.artist_index, tracks.n_artists, tracks.audio, tracks.audio_mask, dim,
        layers,
    )  # fmt: skip
    candidate(tf.zeros([1], tf.int32))
    return RetrievalModel(query, candidate, config)


def context_matrix(rows: Sequence[np.ndarray], width: int, seed: int) -> np.ndarray:
    """[P, width] track indices per playlist, 0-padded; longer playlists keep a random sample."""
    rng = np.random.default_rng(seed)
    out = np.zeros((len(rows), width), np.int32)
    for i, tracks in enumerate(rows):
        if len(tracks) > width:
            tracks = rng.choice(tracks, width, replace=False)
        out[i, : len(tracks)] = tracks
    return out


def training_dataset(
    config: RetrievalConfig,
    pair_rows: np.ndarray,
    pair_tracks: np.ndarray,
    row_query: np.ndarray,
    contexts: np.ndarray,
    batch_size: int,
    seed: int,
    keep: np.ndarray | None = None,
) -> tf.data.Dataset:
    """Shuffled batches of {"query", "track"}; pooled queries gather their context in-graph.

    The target track is removed from its own context, and a random share of the context
    is dropped per example, so the tower learns from short seeds as well as long lists.
    ``keep`` (indices into the pairs) is a worker's share when several train together;
    sampling probabilities still come from all pairs, as on one machine.
    """
    n = len(pair_tracks)
    counts = np.bincount(pair_tracks, minlength=int(pair_tracks.max()) + 1)
    prob = (counts[pair_tracks] / n).astype(np.float32)
    if keep is not None:
        pair_rows, pair_tracks, prob = pair_rows[keep], pair_tracks[keep], prob[keep]
        n = len(pair_tracks)
    columns = {"row": pair_rows.astype(np.int32), "track": pair_tracks.astype(np.int32)}
    ds = shuffled_batches({**columns, "prob": prob}, batch_size, seed)
    if config.query_tower == "id":
        queries = tf.constant(row_query.astype(np.int32))

        def to_id(batch: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
            return {
                "query": tf.gather(queries, batch["row"]),
                "track": batch["track"],
                "prob": batch["prob"],
            }

        return ds.map(to_id, num_parallel_calls=tf.data.AUTOTUNE).prefetch(2)
    table = tf.constant(contexts)
    keep_min = config.context_keep_min

    def to_context(step: tf.Tensor, batch: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        ctx = tf.gather(table, batch["row"])
        ctx = tf.where(tf.equal(ctx, batch["track"][:, None]), 0, ctx)
        size = tf.shape(ctx)
        # stateless draws keyed by (seed, batch number): the same under parallel map
        key = tf.stack([tf.constant(seed, tf.int64), step])
        keep = tf.random.stateless_uniform([size[0], 1], key, keep_min, 1.0)
        drop = tf.random.stateless_uniform(size, key + tf.constant([0, 1 << 40], tf.int64)) > keep
        return {"query": tf.where(drop, 0, ctx), "track": batch["track"], "prob": batch["prob"]}

    return ds.enumerate().map(to_context, num_parallel_calls=tf.data.AUTOTUNE).prefetch(2)


def shuffled_batches(columns: dict[str, np.ndarray], batch_size: int, seed: int) -> tf.data.Dataset:
    """Batches of the rows in a new random order each epoch, drawn by index.

    ``index_shuffle`` maps position i of an epoch to a row of a seeded permutation, so no
    shuffle buffer holds the pairs (one holding every pair cost gigabytes at MPD size and
    took longer to fill than the training). Each pass over the dataset draws a new key.
    """
    n = len(next(iter(columns.values())))
    tensors = {name: tf.constant(values) for name, values in columns.items()}
    max_index = max(n - 1, 0)

    def epoch(key: tf.Tensor) -> tf.data.Dataset:
        def batch(start: tf.Tensor) -> dict[str, tf.Tensor]:
            positions = tf.range(start, tf.minimum(start + batch_size, n))
            rows = tf.random.experimental.index_shuffle(
                positions, seed=tf.stack([key, tf.constant(seed, tf.int64)]), max_index=max_index
            )
            return {name: tf.gather(t, rows) for name, t in tensors.items()}

        return tf.data.Dataset.range(0, n, batch_size).map(
            batch, num_parallel_calls=tf.data.AUTOTUNE
        )

    keys = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).take(1)
    return keys.flat_map(epoch)


def candidate_embeddings(model: RetrievalModel, n_tracks: int) -> np.ndarray:
    """[T+1, d] embeddings of every track (row 0 = padding), in batches of 4096."""
    ids = np.arange(n_tracks + 1, dtype=np.int32)
    parts = [
        model.candidate_embedding(tf.constant(ids[i : i + CANDIDATE_BATCH])).numpy()
        for i in range(0, len(ids), CANDIDATE_BATCH)
    ]
    return np.concatenate(parts).astype(np.float32)


def query_inputs(
    config: RetrievalConfig, query_index: Ids, seeds: Sequence[np.ndarray]
) -> np.ndarray:
    """The query tower's input for playlists: query indices (id) or padded seeds (pooled)."""
    if config.query_tower == "id":
        return np.asarray(query_index, np.int32)
    width = max(1, max((len(s) for s in seeds), default=1))
    width = min(width, 4 * config.max_context)
    return context_matrix(seeds, width, seed=0)


def query_embeddings(model: RetrievalModel, inputs: np.ndarray, batch: int = 1024) -> np.ndarray:
    parts = [
        model.query_embedding(tf.constant(inputs[i : i + batch])).numpy()
        for i in range(0, len(inputs), batch)
    ]
    return np.concatenate(parts).astype(np.float32) if parts else np.zeros((0, 1), np.float32)


def top_k_scored(
    queries: np.ndarray,
    candidates: np.ndarray,
    seeds: Sequence[np.ndarray],
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Brute-force top-k over all candidates, excluding padding and each query's seed.

    Asks TensorFlow for the top k + |longest seed| + 1 (cheap), then drops padding and
    seed tracks per row in numpy: no full score matrix is copied or masked.
    Returns (indices [Q, k], scores [Q, k]), best first.
    """
    n = candidates.shape[0]
    k = min(k, n - 1)
    batch = max(1, min(1024, SCORE_CELLS // n))  # a [batch, T+1] score matrix at a time
    cand = tf.constant(candidates)
    all_ix, all_sc = [], []
    for start in range(0, len(queries), batch):
        chunk = seeds[start : start + batch]
        extra = 1 + max((len(s) for s in chunk), default=0)
        scores = tf.matmul(tf.constant(queries[start : start + batch]), cand, transpose_b=True)
        values, indices = tf.math.top_k(scores, k=min(n, k + extra))
        values, indices = values.numpy(), indices.numpy()
        for row, seed in enumerate(chunk):
            keep = indices[row] != 0
            if len(seed):
                keep &= ~np.isin(indices[row], seed)
            all_ix.append(indices[row][keep][:k])
            all_sc.append(values[row][keep][:k])
    if not all_ix:
        return np.zeros((0, k), np.int32), np.zeros((0, k), np.float32)
    width = min(len(r) for r in all_ix)
    return (
        np.stack([r[:width] for r in all_ix]).astype(np.int32),
        np.stack([r[:width] for r in all_sc]).astype(np.float32),
    )
