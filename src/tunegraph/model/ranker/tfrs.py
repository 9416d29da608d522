"""The ranking stage: reorder each query's merged candidates into the final list.

A small MLP scores every (query, candidate) pair from the features in
``candidates.FEATURES``; padding candidates are masked out. Objectives:

- ``listwise``: softmax cross-entropy over each query's candidate list (hits share the
  target mass), which optimises the order at the top of the list;
- ``pointwise``: binary cross-entropy (is the candidate a hidden track?).

The ranker trains on validation playlists' hidden tracks, never on test playlists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from tunegraph.model._tf import tf, tf_keras, tfrs
from tunegraph.model.twotower.retrieval import shuffled_batches

OBJECTIVES: tuple[str, ...] = ("listwise", "pointwise")


class Ranker(Protocol):
    """What the pipeline asks of a ranker: scores for each query's candidates."""

    def scores(self, x: np.ndarray, mask: np.ndarray) -> np.ndarray: ...


_MASKED = -1e9


@dataclass(frozen=True)
class RankingConfig:
    objective: str = "listwise"
    n_features: int = 0
    layers: tuple[int, ...] = (64, 32)
    epochs: int = 20
    learning_rate: float = 0.003
    batch_size: int = 32
    seed: int = 42


class RankingModel(tfrs.Model):
    """Scores [Q, C, F] candidate features; the loss depends on the objective."""

    def __init__(self, config: RankingConfig) -> None:
        super().__init__()
        self.config = config
        n = config.n_features
        self.norm = tf_keras.layers.Normalization(axis=-1)
        self.norm.build((None, None, n))
        stack = [tf_keras.layers.Dense(width, activation="relu") for width in config.layers]
        self.mlp = tf_keras.Sequential([*stack, tf_keras.layers.Dense(1)])
        self.mlp.build((None, None, n))
        if config.objective == "listwise":
            loss = tf_keras.losses.CategoricalCrossentropy(from_logits=True)
        else:
            loss = tf_keras.losses.BinaryCrossentropy(from_logits=True)
        self.task = tfrs.tasks.Ranking(loss=loss)

    def call(self, x: tf.Tensor) -> tf.Tensor:
        return tf.squeeze(self.mlp(self.norm(x)), axis=-1)

    def scores(self, x: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """[Q, C] scores of [Q, C, F] candidate features, padding at -inf (``Ranker``)."""
        return ranker_scores(self, x, mask)

    def compute_loss(self, features: dict[str, tf.Tensor], training: bool = False) -> tf.Tensor:
        logits = self(features["x"], training=training)
        labels, mask = features["label"], features["mask"]
        if self.config.objective == "listwise":
            logits = tf.where(mask > 0, logits, _MASKED)
            labels = labels / tf.maximum(tf.reduce_sum(labels, axis=1, keepdims=True), 1e-9)
            return self.task(labels=labels, predictions=logits)
        return self.task(
            labels=tf.reshape(labels, [-1, 1]),
            predictions=tf.reshape(logits, [-1, 1]),
            sample_weight=tf.reshape(mask, [-1]),
        )


def fit_ranker(
    config: RankingConfig, x: np.ndarray, relevant: np.ndarray, mask: np.ndarray
) -> RankingModel:
    """Train on [Q, C, F] features; ``relevant`` [Q, C] marks hidden tracks."""
    tf_keras.utils.set_random_seed(config.seed)
    config = RankingConfig(**{**config.__dict__, "n_features": x.shape[-1]})
    labels = (relevant & mask).astype(np.float32)
    weights = mask.astype(np.float32)
    if config.objective == "listwise":  # lists without a hit teach nothing
        keep = labels.sum(axis=1) > 0
        x, labels, weights = x[keep], labels[keep], weights[keep]
    if len(x) == 0:
        raise ValueError("no validation list has a hidden track among its candidates")
    model = RankingModel(config)
    model.norm.adapt(_real_rows(x, weights, config.seed))
    model.compile(optimizer=tf_keras.optimizers.Adam(config.learning_rate))
    # lists drawn by index each epoch: a shuffle buffer would hold a second copy of x
    ds = shuffled_batches(
        {"x": x, "label": labels, "mask": weights}, config.batch_size, config.seed
    )
    model.fit(ds, epochs=config.epochs, verbose=0)
    return model


ADAPT_ROWS = 200_000  # candidate rows the feature normalisation is estimated from


def _real_rows(x: np.ndarray, weights: np.ndarray, seed: int) -> np.ndarray:
    """A seeded sample of the non-padding candidate rows (all of them if few)."""
    lists, slots = np.nonzero(weights > 0)
    if len(lists) > ADAPT_ROWS:
        pick = np.sort(np.random.default_rng(seed).choice(len(lists), ADAPT_ROWS, replace=False))
        lists, slots = lists[pick], slots[pick]
    return x[lists, slots]


def ranker_scores(model: RankingModel, x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """[Q, C] scores, padding at the bottom; in chunks so memory stays flat.

    No candidate at all (C = 0: a seed that holds the whole catalogue) asks nothing of
    the model: a Keras call on an empty axis is not something to rely on.
    """
    if x.shape[0] == 0 or x.shape[1] == 0:
        return np.full(mask.shape, -np.inf, np.float32)
    parts = [model(tf.constant(x[i : i + 512])).numpy() for i in range(0, len(x), 512)]
    return np.where(mask, np.concatenate(parts), -np.inf)


def rerank(ranker: Ranker, candidates: np.ndarray, x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Candidates reordered by the ranker's score, best first (stable for ties)."""
    if candidates.size == 0:
        return candidates
    order = np.argsort(-ranker.scores(x, mask), axis=1, kind="stable")
    return np.take_along_axis(candidates, order, axis=1)
