"""The ranking stage: reorder each query's retrieved top-100 into the final list.

Features of a (query, candidate) pair: the retrieval score (raw, and relative to the
query's best), the retrieval rank, the track's training popularity, its co-occurrence
with the seed tracks, the share of seed tracks by the same artist, the seed length and
the API popularity where present (with its mask). Objectives:

- ``listwise`` (softmax cross-entropy over each query's candidate list),
- ``pointwise`` (binary cross-entropy: is the candidate a hidden track?),
- ``popularity`` (the original project's MSE regression of track popularity; only
  where the export has popularity).

The ranker trains on validation playlists' hidden tracks, never on test playlists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tunegraph.model._tf import tf, tf_keras, tfrs
from tunegraph.model.baselines import Csr, cooccurrence_scores

OBJECTIVES: tuple[str, ...] = ("listwise", "pointwise", "popularity")
FEATURES: tuple[str, ...] = (
    "score",
    "score_gap",
    "log_rank",
    "log_train_count",
    "cooc_rel",
    "log_cooc",
    "artist_share",
    "log_seed_len",
    "api_popularity",
    "has_api_popularity",
)


@dataclass(frozen=True)
class RankingConfig:
    objective: str = "listwise"
    candidates: int = 100
    layers: tuple[int, ...] = (32, 16)
    epochs: int = 30
    learning_rate: float = 0.01
    seed: int = 42


def ranking_features(
    candidates: np.ndarray,
    scores: np.ndarray,
    seeds: Sequence[np.ndarray],
    train: Csr,
    artist_index: np.ndarray,
    popularity: np.ndarray,
    popularity_mask: np.ndarray,
) -> np.ndarray:
    """[Q, K, F] features for each query's retrieved candidates (see FEATURES)."""
    q, k = candidates.shape
    out = np.zeros((q, k, len(FEATURES)), np.float32)
    log_rank = np.log1p(np.arange(k, dtype=np.float32))
    counts = np.log1p(train.counts)
    for i in range(q):
        cand, seed = candidates[i], seeds[i]
        cooc = cooccurrence_scores(train, seed)[cand]
        seed_artists = artist_index[seed]
        seed_artists = seed_artists[seed_artists > 0]
        if len(seed_artists):
            per_artist = np.bincount(seed_artists, minlength=int(artist_index.max()) + 1)
            share = per_artist[artist_index[cand]] / len(seed)
            share[artist_index[cand] == 0] = 0.0
        else:
            share = np.zeros(k)
        out[i, :, 0] = scores[i]
        out[i, :, 1] = scores[i] - scores[i, 0]
        out[i, :, 2] = log_rank
        out[i, :, 3] = counts[cand]
        out[i, :, 4] = cooc / max(cooc.max(), 1e-9)
        out[i, :, 5] = np.log1p(cooc)
        out[i, :, 6] = share
        out[i, :, 7] = np.log1p(len(seed))
        out[i, :, 8] = popularity[cand]
        out[i, :, 9] = popularity_mask[cand]
    return out


class RankingModel(tfrs.Model):
    """A small MLP scoring each candidate from its features; the loss depends on the objective."""

    def __init__(self, config: RankingConfig, n_features: int = len(FEATURES)) -> None:
        super().__init__()
        self.config = config
        self.norm = tf_keras.layers.Normalization(axis=-1)
        self.norm.build((None, None, n_features))
        stack = [tf_keras.layers.Dense(n, activation="relu") for n in config.layers]
        self.mlp = tf_keras.Sequential([*stack, tf_keras.layers.Dense(1)])
        self.mlp.build((None, None, n_features))
        if config.objective == "listwise":
            loss = tf_keras.losses.CategoricalCrossentropy(from_logits=True)
        elif config.objective == "pointwise":
            loss = tf_keras.losses.BinaryCrossentropy(from_logits=True)
        else:
            loss = tf_keras.losses.MeanSquaredError()
        self.task = tfrs.tasks.Ranking(loss=loss)

    def call(self, x: tf.Tensor) -> tf.Tensor:
        return tf.squeeze(self.mlp(self.norm(x)), axis=-1)

    def compute_loss(self, features: dict[str, tf.Tensor], training: bool = False) -> tf.Tensor:
        logits = self(features["x"], training=training)
        labels, weight = features["label"], features["weight"]
        if self.config.objective == "listwise":
            labels = labels / tf.maximum(tf.reduce_sum(labels, axis=1, keepdims=True), 1e-9)
            return self.task(labels=labels, predictions=logits, sample_weight=weight[:, 0])
        return self.task(
            labels=tf.reshape(labels, [-1, 1]),
            predictions=tf.reshape(logits, [-1, 1]),
            sample_weight=tf.reshape(weight, [-1]),
        )


def fit_ranker(
    config: RankingConfig,
    x: np.ndarray,
    relevant: np.ndarray,
    popularity: np.ndarray | None = None,
    popularity_mask: np.ndarray | None = None,
) -> RankingModel:
    """Train on [Q, K, F] features; ``relevant`` [Q, K] marks hidden tracks."""
    tf_keras.utils.set_random_seed(config.seed)
    model = RankingModel(config, x.shape[-1])
    model.norm.adapt(x.reshape(-1, x.shape[-1]))
    if config.objective == "popularity":
        if popularity is None or popularity_mask is None or not popularity_mask.any():
            raise ValueError("the popularity objective needs popularity in the export")
        labels, weight = popularity.astype(np.float32), popularity_mask.astype(np.float32)
    else:
        labels = relevant.astype(np.float32)
        weight = np.ones_like(labels)
        if config.objective == "listwise":  # lists without a hit teach nothing
            keep = labels.sum(axis=1) > 0
            x, labels, weight = x[keep], labels[keep], weight[keep]
    if len(x) == 0:
        raise ValueError("no validation list has a hidden track among its candidates")
    model.compile(optimizer=tf_keras.optimizers.Adam(config.learning_rate))
    ds = tf.data.Dataset.from_tensor_slices({"x": x, "label": labels, "weight": weight})
    ds = ds.shuffle(len(x), seed=config.seed).batch(64)
    model.fit(ds, epochs=config.epochs, verbose=0)
    return model


def rerank(model: RankingModel, candidates: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Candidates reordered by the ranker's score, best first (stable for ties)."""
    if len(candidates) == 0:
        return candidates
    scores = model(tf.constant(x)).numpy()
    order = np.argsort(-scores, axis=1, kind="stable")
    return np.take_along_axis(candidates, order, axis=1)
