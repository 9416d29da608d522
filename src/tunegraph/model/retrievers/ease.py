"""EASE (Steck, 2019): a closed-form item-item model, the other strong simple baseline.

B = I - P / diag(P) with P = (X^T X + lambda I)^-1 over the most popular tracks only: the
inverse is dense, so its size (``max_tracks``) bounds time and memory. Other tracks score 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.linalg import lapack

from tunegraph.model.data.matrix import Csr, seed_matrix


@dataclass(frozen=True)
class EaseConfig:
    max_tracks: int = 10_000
    l2: float = 2000.0


GRAM_ROWS = 4096  # playlists per block of X^T X: a block's sparse product stays small


def _gram(x: sp.csr_matrix) -> np.ndarray:
    """Dense float32 X^T X, summed over blocks of playlists: one sparse product of all of
    them holds up to every pair of kept tracks as a sparse entry, several times the dense
    matrix."""
    gram = np.zeros((x.shape[1], x.shape[1]), np.float32)
    for start in range(0, x.shape[0], GRAM_ROWS):
        block = x[start : start + GRAM_ROWS]
        product = (block.T @ block).tocoo()
        gram[product.row, product.col] += product.data  # (row, col) pairs are unique here
    return gram


def _inverse_in_place(matrix: np.ndarray) -> np.ndarray:
    """The inverse of a symmetric positive definite float32 matrix, via Cholesky in place
    (LAPACK potrf/potri): no second and third copy of the matrix as ``np.linalg.inv``."""
    factor, info = lapack.spotrf(matrix, lower=0, overwrite_a=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"EASE: Gram matrix not positive definite ({info})")
    inverse, info = lapack.spotri(factor, lower=0, overwrite_c=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"EASE: cannot invert the Gram matrix ({info})")
    n = inverse.shape[0]
    for start in range(0, n, 1024):  # potri fills the upper triangle: mirror it below
        end = min(start + 1024, n)
        block = inverse[start:end, start:end]
        block[:] = np.triu(block) + np.triu(block, 1).T
        inverse[start:end, :start] = inverse[:start, start:end].T
    return inverse


class Ease:
    def __init__(self, train: Csr, config: EaseConfig | None = None) -> None:
        self.config = config or EaseConfig()
        counts = train.counts.copy()
        counts[0] = 0
        kept = np.argsort(-counts, kind="stable")[: self.config.max_tracks]
        self.kept = np.sort(kept[counts[kept] > 0])
        x = train.matrix()[:, self.kept]
        gram = _gram(x)
        gram[np.diag_indices_from(gram)] += self.config.l2
        self.weights = _inverse_in_place(gram)
        self.weights /= -np.diag(self.weights).copy()  # column j divided by -P_jj
        self.weights[np.diag_indices_from(self.weights)] = 0.0
        self.n_tracks = train.n_tracks

    def scores(self, seeds: Sequence[np.ndarray]) -> np.ndarray:
        """[Q, T+1]: X_seed B over the kept tracks, 0 elsewhere."""
        x = seed_matrix(seeds, self.n_tracks)[:, self.kept]
        out = np.zeros((len(seeds), self.n_tracks + 1), np.float32)
        out[:, self.kept] = x @ self.weights
        return out
