"""The query tower in numpy gives the Keras tower's vectors, for either kind of tower."""

from __future__ import annotations

import numpy as np
import pytest

from model.ranker.test_candidates import _tracks
from tunegraph.model.twotower.query_encoder import QueryEncoder
from tunegraph.model.twotower.retrieval import RetrievalConfig, build_model, query_embeddings

pytestmark = pytest.mark.tensorflow  # imports or trains TensorFlow models


@pytest.mark.parametrize("kind", ["pooled", "id"])
@pytest.mark.parametrize("normalize", [True, False])
def test_numpy_tower_equals_keras_tower(kind: str, normalize: bool) -> None:
    config = RetrievalConfig(query_tower=kind, embedding_dim=8, layers=(16, 4), normalize=normalize)
    tracks = _tracks(12, [[t % 3] for t in range(12)], list(range(1, 13)))
    model = build_model(config, n_queries=7, tracks=tracks)
    rng = np.random.default_rng(3)
    if kind == "pooled":  # padded seeds: some short, one empty, a track twice
        inputs = np.array([[1, 2, 0, 0], [3, 3, 4, 5], [0, 0, 0, 0], [12, 0, 0, 0]], np.int32)
    else:
        inputs = np.array([0, 1, 5, 7], np.int32)
    keras = query_embeddings(model, inputs)  # builds the weights, random from the seed
    for layer in model.query_tower.dense.layers:  # biases too, not only zeros
        kernel, bias = layer.get_weights()
        layer.set_weights([kernel, rng.normal(size=bias.shape).astype(np.float32)])
    keras = query_embeddings(model, inputs)
    ours = QueryEncoder.of(model)(inputs)
    assert ours.shape == keras.shape == (4, 8)  # hidden layers 16, 4; out: the dim
    assert np.allclose(ours, keras, atol=1e-5)
    assert not np.allclose(ours[0], ours[1])  # the comparison is not of equal rows
