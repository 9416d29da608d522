"""ALS (the `implicit` library): the field's strongest simple baseline, and one of our retrievers.

A held-out or new playlist is folded in from its seed tracks (``recalculate_user``), so
ALS scores playlists it never saw, exactly as the challenge protocol needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import ThreadpoolController, threadpool_limits

from tunegraph.model.data.matrix import Csr, seed_matrix
from tunegraph.model.retrievers.scores import DenseScores

if TYPE_CHECKING:
    from tunegraph.model.retrievers.protocol import Queries


@dataclass(frozen=True)
class AlsConfig:
    factors: int = 128
    regularization: float = 0.05
    alpha: float = 20.0
    iterations: int = 15
    seed: int = 42


class Als:
    """Item factors learned from a playlist x track matrix; queries are folded in."""

    def __init__(self, item_factors: np.ndarray, config: AlsConfig) -> None:
        self.item_factors = np.ascontiguousarray(item_factors, np.float32)  # [T+1, f]
        self.config = config
        # folding in solves one small system per query: one thread does it, where a team
        # of OpenMP threads meeting the ranker's and TensorFlow's made a single query slow
        self._model = _implicit_model(config, threads=1)
        self._model.item_factors = self.item_factors
        self._model.user_factors = np.zeros((1, self.item_factors.shape[1]), np.float32)
        # the BLAS libraries, looked up once: a lookup reads the process's memory map
        self._threadpools = ThreadpoolController()

    @classmethod
    def fit(cls, train: Csr, config: AlsConfig | None = None, threads: int = 0) -> Als:
        config = config or AlsConfig()
        model = _implicit_model(config, threads)
        with threadpool_limits(1, "blas"):  # implicit's own threads do the work
            model.fit(train.matrix(), show_progress=False)
        return cls(np.asarray(model.item_factors), config)

    def query_factors(self, seeds: Sequence[np.ndarray]) -> np.ndarray:
        """[Q, f] factors of playlists given by their seed tracks (empty seed: zeros)."""
        matrix = seed_matrix(seeds, self.item_factors.shape[0] - 1)
        with self._threadpools.limit(limits=1, user_api="blas"):
            factors = self._model.recalculate_user(np.arange(len(seeds)), matrix)
        out = np.asarray(factors, np.float32)
        out[matrix.getnnz(axis=1) == 0] = 0.0
        return out

    def scores(self, seeds: Sequence[np.ndarray]) -> np.ndarray:
        """[Q, T+1] predicted preference of every track for each query."""
        return self.query_factors(seeds) @ self.item_factors.T


class AlsRetriever:
    """ALS as a retriever: the seeds folded in, every track scored by its factors."""

    def __init__(self, als: Als) -> None:
        self.als = als

    def scores(self, queries: Queries) -> DenseScores:
        return DenseScores(self.als.query_factors(queries.seeds), self.als.item_factors)


def _implicit_model(config: AlsConfig, threads: int = 0):  # implicit is untyped
    from implicit.cpu.als import AlternatingLeastSquares

    with threadpool_limits(1, "blas"):  # it checks the BLAS threads when it is built
        return AlternatingLeastSquares(
            factors=config.factors,
            regularization=config.regularization,
            alpha=config.alpha,
            iterations=config.iterations,
            random_state=config.seed,
            num_threads=threads,
        )
