"""One retriever's scores for a batch of queries, without a dense [Q, T+1] matrix.

At MPD scale a dense score row per query and retriever is millions of floats, most of
them zero for the neighbour methods. Factor models (ALS, two-tower) keep their factors
and score pairs on demand; neighbour methods keep a sparse [Q, T+1] matrix. Both answer
the same three questions: each query's top tracks, the score of given candidates, and
each query's best score (to put scores of different queries on one scale).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from tunegraph.model.data.matrix import SCORE_CELLS, top_rows


class DenseScores:
    """Scores as dot products of query factors [Q, f] and track factors [T+1, f]."""

    def __init__(self, queries: np.ndarray, items: np.ndarray) -> None:
        self.queries = np.ascontiguousarray(queries, np.float32)
        self.items = items
        self._peak: np.ndarray | None = None  # the best scores, a by-product of ``top``

    def top(self, seeds: Sequence[np.ndarray], depth: int) -> np.ndarray:
        """[Q, depth] best track indices (padding and seeds excluded), best first.

        A query whose factors are all zero (ALS folding in no seed track: a title-only
        playlist) scores every track 0 and proposes none: its "top" would be whichever
        tracks a tie happened to favour.
        """
        depth = min(depth, self.items.shape[0] - 1)
        out = np.zeros((len(self.queries), depth), np.int32)
        self._peak = np.zeros(len(self.queries), np.float32)
        if depth <= 0:
            return out
        informed = np.flatnonzero(self.queries.any(axis=1))
        chunk = max(1, min(64, SCORE_CELLS // self.items.shape[0]))  # [chunk, T+1] at a time
        for start in range(0, len(informed), chunk):
            rows = informed[start : start + chunk]
            scores = self.queries[rows] @ self.items.T
            scores[:, 0] = -np.inf
            for at, row in enumerate(rows):
                scores[at, seeds[row]] = -np.inf
            values, best = top_rows(scores, depth)
            # a catalogue smaller than depth: padding and seeds come last; drop them
            best[~np.isfinite(values)] = 0
            out[rows] = best
            self._peak[rows] = values[:, 0]
        return out

    def at(self, indices: np.ndarray) -> np.ndarray:
        """[Q, C] scores of the given candidates."""
        out = np.empty(indices.shape, np.float32)
        for q in range(len(indices)):  # a gather of [Q, C, f] at once would be hundreds of MB
            out[q] = self.items[indices[q]] @ self.queries[q]
        return out

    def peak(self, seeds: Sequence[np.ndarray]) -> np.ndarray:
        """[Q] each query's best score over tracks that are not its seeds."""
        if self._peak is None:
            self.top(seeds, 1)
        assert self._peak is not None
        return self._peak


class SparseScores:
    """Scores held as a sparse [Q, T+1] matrix; absent entries score 0."""

    def __init__(self, matrix: sp.spmatrix) -> None:
        self.matrix = sp.csr_matrix(matrix, dtype=np.float32)  # indices need not be sorted
        self._mask = np.zeros(self.matrix.shape[1], bool)
        self._peak: np.ndarray | None = None  # the best scores, a by-product of ``top``

    def _row(self, q: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.matrix.indptr[q], self.matrix.indptr[q + 1]
        return self.matrix.indices[lo:hi], self.matrix.data[lo:hi]

    def _not_seed(self, cols: np.ndarray, seed: np.ndarray) -> np.ndarray:
        """Which of ``cols`` are neither padding nor a seed track (via a reused mask)."""
        self._mask[seed] = True
        keep = ~self._mask[cols] & (cols > 0)
        self._mask[seed] = False
        return keep

    def top(self, seeds: Sequence[np.ndarray], depth: int) -> np.ndarray:
        """[Q, depth] best positive-scored tracks (0-padded where fewer exist)."""
        out = np.zeros((self.matrix.shape[0], depth), np.int32)
        self._peak = np.zeros(self.matrix.shape[0], np.float32)
        for q, seed in enumerate(seeds):
            cols, vals = self._row(q)
            not_seed = self._not_seed(cols, seed)
            if not_seed.any():
                self._peak[q] = vals[not_seed].max()
            if depth == 0:
                continue
            keep = (vals > 0) & not_seed
            cols, vals = cols[keep], vals[keep]
            if len(cols) > depth:
                part = np.argpartition(-vals, depth - 1)[:depth]
                cols, vals = cols[part], vals[part]
            best = cols[np.lexsort((cols, -vals))]
            out[q, : len(best)] = best
        return out

    def at(self, indices: np.ndarray) -> np.ndarray:
        """[Q, C] scores of the given candidates (0 where the matrix has none)."""
        out = np.zeros(indices.shape, np.float32)
        scratch = np.zeros(self.matrix.shape[1], np.float32)  # one dense row, reused
        for q in range(indices.shape[0]):
            cols, vals = self._row(q)
            scratch[cols] = vals
            out[q] = scratch[indices[q]]
            scratch[cols] = 0.0
        return out

    def peak(self, seeds: Sequence[np.ndarray]) -> np.ndarray:
        """[Q] each query's best score over tracks that are not its seeds (0 if none)."""
        if self._peak is None:
            self.top(seeds, 0)
        assert self._peak is not None
        return self._peak
