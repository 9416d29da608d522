"""EASE (Steck, 2019): a closed-form item-item model, the other strong simple baseline.

B = I - P / diag(P) with P = (X^T X + lambda I)^-1 over the most popular tracks only: the
inverse is dense, so its size (``max_tracks``) bounds time and memory. Other tracks score 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tunegraph.model.baselines import Csr, seed_matrix


@dataclass(frozen=True)
class EaseConfig:
    max_tracks: int = 10_000
    l2: float = 2000.0


class Ease:
    def __init__(self, train: Csr, config: EaseConfig | None = None) -> None:
        self.config = config or EaseConfig()
        counts = train.counts.copy()
        counts[0] = 0
        kept = np.argsort(-counts, kind="stable")[: self.config.max_tracks]
        self.kept = np.sort(kept[counts[kept] > 0])
        x = train.matrix()[:, self.kept]
        gram = (x.T @ x).toarray().astype(np.float32)
        gram[np.diag_indices_from(gram)] += self.config.l2
        p = np.linalg.inv(gram)
        self.weights = (-p / np.diag(p)).astype(np.float32)
        self.weights[np.diag_indices_from(self.weights)] = 0.0
        self.n_tracks = train.n_tracks

    def scores(self, seeds: Sequence[np.ndarray]) -> np.ndarray:
        """[Q, T+1]: X_seed B over the kept tracks, 0 elsewhere."""
        x = seed_matrix(seeds, self.n_tracks)[:, self.kept]
        out = np.zeros((len(seeds), self.n_tracks + 1), np.float32)
        out[:, self.kept] = x @ self.weights
        return out
