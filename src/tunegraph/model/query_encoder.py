"""The trained query tower as plain numpy, read out of the Keras model once at load.

Serving embeds a handful of seeds per request: through Keras that is some thirty eager
TensorFlow calls and a lock (Keras layers are not safe across threads), several
milliseconds for a few hundred multiply-adds. The tower is a lookup, a masked mean and a
small dense stack, so the same arithmetic in numpy gives the same vectors (to float
rounding) with no lock and no TensorFlow at request time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tunegraph.model.retrieval import RetrievalModel


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
        inputs = np.asarray(inputs, np.int64)
        if self.pooled:
            mask = (inputs != 0).astype(np.float32)
            summed = np.einsum("qld,ql->qd", self.embedding[inputs], mask)
            out = summed / np.maximum(mask.sum(axis=1), 1.0)[:, None]
        else:
            out = self.embedding[inputs]
        for layer in self.layers:
            out = out @ layer.kernel + layer.bias
            if layer.relu:
                out = np.maximum(out, 0.0)
        if self.normalize:
            out = out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out.astype(np.float32)


def encode(encoder: QueryEncoder, inputs: np.ndarray, batch: int = 1024) -> np.ndarray:
    """``encoder`` over many queries, ``batch`` at a time (a [batch, L, dim] gather each)."""
    parts: Sequence[np.ndarray] = [
        encoder(inputs[i : i + batch]) for i in range(0, len(inputs), batch)
    ]
    return np.concatenate(parts) if len(parts) else np.zeros((0, 1), np.float32)
