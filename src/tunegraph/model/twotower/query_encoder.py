"""The trained query tower as plain numpy, read out of the Keras model once at load.

Serving embeds a handful of seeds per request: through Keras that is a string of eager
TensorFlow calls and a lock (Keras layers are not safe across threads), costing far more
than the few hundred multiply-adds themselves. The tower is a lookup, a masked mean and a
small dense stack, so the same arithmetic in numpy gives the same vectors (to float
rounding) with no lock and no TensorFlow at request time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tunegraph.model.twotower.retrieval import RetrievalModel


@dataclass(frozen=True)
class DenseLayer:
    kernel: np.ndarray  # [in, out]
    bias: np.ndarray  # [out]
    relu: bool


@dataclass(frozen=True)
class QueryEncoder:
    """Query embeddings [Q, d] from the query tower's input (``retrieval.query_inputs``):
    padded seed track indices for a pooled tower, query indices for an id tower."""

    pooled: bool
    embedding: np.ndarray  # [n + 1, dim]; row 0 is padding / unknown
    layers: tuple[DenseLayer, ...]
    normalize: bool

    @classmethod
    def of(cls, model: RetrievalModel) -> QueryEncoder:
        tower = model.query_tower
        layers = []
        for layer in tower.dense.layers:
            kernel, bias = layer.get_weights()
            relu = getattr(layer.activation, "__name__", "") == "relu"
            layers.append(DenseLayer(kernel.astype(np.float32), bias.astype(np.float32), relu))
        embedding = np.asarray(tower.embedding.get_weights()[0], np.float32)
        pooled = model.config.query_tower == "pooled"
        return cls(pooled, embedding, tuple(layers), model.config.normalize)

    def __call__(self, inputs: np.ndarray) -> np.ndarray:
        # a query at a time: its vector must not depend on its batch-mates (a vectorised
        # sum regroups with the batch's padding, a matrix product with its row count)
        out = np.zeros((len(inputs), self.layers[-1].bias.shape[0]), np.float32)
        for row, query in enumerate(np.asarray(inputs, np.int64)):
            out[row] = self._one(query)
        return out

    def _one(self, query: np.ndarray) -> np.ndarray:
        if self.pooled:
            tracks = query[query != 0]
            vector = self.embedding[tracks].sum(axis=0) / max(len(tracks), 1)
        else:
            vector = self.embedding[int(query)]
        for layer in self.layers:
            vector = vector @ layer.kernel + layer.bias
            if layer.relu:
                vector = np.maximum(vector, 0.0)
        if self.normalize:
            vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
        return vector
