"""The tf.data pipeline and brute-force top-k of the retrieval model."""

from __future__ import annotations

import numpy as np
import pytest

from tunegraph.model.twotower.retrieval import (
    RetrievalConfig,
    context_matrix,
    shuffled_batches,
    top_k_scored,
    training_dataset,
)

pytestmark = pytest.mark.tensorflow  # imports or trains TensorFlow models


def _batches(seed: int) -> list[dict[str, np.ndarray]]:
    rows = [np.arange(1, 11, dtype=np.int32), np.arange(11, 21, dtype=np.int32)]
    pair_rows = np.repeat([0, 1], 10).astype(np.int32)
    pair_tracks = np.concatenate(rows)
    ds = training_dataset(
        RetrievalConfig(),
        pair_rows,
        pair_tracks,
        np.zeros(2, np.int32),
        context_matrix(rows, 50, seed),
        batch_size=8,
        seed=seed,
    )
    return [{k: v.numpy() for k, v in b.items()} for b in ds]


def test_context_never_holds_its_target_and_stays_in_its_playlist() -> None:
    for batch in _batches(seed=3):
        for context, track in zip(batch["query"], batch["track"], strict=True):
            assert track not in context
            same_playlist = range(1, 11) if track <= 10 else range(11, 21)
            assert set(context[context > 0]) <= set(same_playlist)
            assert (context > 0).sum() >= 1


def test_pipeline_is_reproducible_for_a_seed() -> None:
    a, b = _batches(seed=5), _batches(seed=5)
    assert all(np.array_equal(x["query"], y["query"]) for x, y in zip(a, b, strict=True))


def test_every_epoch_is_a_new_permutation_of_all_rows() -> None:
    values = np.arange(1000, dtype=np.int32)
    ds = shuffled_batches({"v": values}, batch_size=64, seed=3)
    epochs = [np.concatenate([b["v"].numpy() for b in ds]) for _ in range(2)]
    for order in epochs:
        assert sorted(order.tolist()) == values.tolist()  # each row once
        assert not np.array_equal(order, values)  # shuffled
    assert not np.array_equal(epochs[0], epochs[1])  # a new order each pass
    assert [len(b["v"]) for b in ds][-1] == 1000 % 64  # the last batch is the rest


def test_top_k_skips_padding_and_seed_tracks() -> None:
    candidates = np.eye(6, dtype=np.float32)[:, :6]  # track i scores 1 only for query axis i
    queries = np.array([[0, 5, 4, 3, 2, 1]], np.float32)  # prefers 1 > 2 > 3 > 4 > 5
    indices, scores = top_k_scored(queries, candidates, [np.array([1, 3])], k=3)
    assert list(indices[0]) == [2, 4, 5]
    assert list(scores[0]) == [4.0, 2.0, 1.0]
