"""Baselines on the same split: most popular, and item co-occurrence (cosine, numpy only).

A model's figures mean little without them: popularity is what a recommender gets for
free, co-occurrence is the classic strong neighbour method on playlist data.
Both see only the training view of the split (hidden tracks never).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class Csr:
    """A binary playlist x track matrix in CSR form, with its transpose (track -> playlists)."""

    def __init__(self, rows: Sequence[np.ndarray], n_tracks: int) -> None:
        self.n_tracks = n_tracks
        lengths = np.array([len(r) for r in rows], np.int64)
        self.indptr = np.concatenate([[0], np.cumsum(lengths)])
        self.indices = np.concatenate(rows).astype(np.int32) if len(rows) else np.zeros(0, np.int32)
        row_of = np.repeat(np.arange(len(rows), dtype=np.int32), lengths)
        order = np.argsort(self.indices, kind="stable")
        self.t_indptr = np.concatenate(
            [[0], np.cumsum(np.bincount(self.indices, minlength=n_tracks + 1))]
        )
        self.t_rows = row_of[order]
        self.counts = np.bincount(self.indices, minlength=n_tracks + 1).astype(np.float32)

    def row(self, i: int) -> np.ndarray:
        return self.indices[self.indptr[i] : self.indptr[i + 1]]


def popularity_scores(train: Csr) -> np.ndarray:
    """[T+1] scores: how many training playlists hold each track (index 0 never wins)."""
    scores = train.counts.astype(np.float64).copy()
    scores[0] = -np.inf
    return scores


def cooccurrence_scores(train: Csr, seed: np.ndarray) -> np.ndarray:
    """[T+1] scores: sum over seed tracks i of cosine(i, c) over training playlists.

    cosine(i, c) = |P(i) & P(c)| / sqrt(|P(i)| |P(c)|), computed sparsely: walk the
    playlists holding each seed track and add their tracks, weighted, with bincount.
    """
    norm = np.sqrt(np.maximum(train.counts, 1.0))
    weights = np.zeros(len(train.indptr) - 1, np.float64)
    for t in np.unique(seed):
        rows = train.t_rows[train.t_indptr[t] : train.t_indptr[t + 1]]
        weights[rows] += 1.0 / norm[t]
    touched = np.nonzero(weights)[0]
    if len(touched) == 0:
        return np.zeros(train.n_tracks + 1)
    starts, ends = train.indptr[touched], train.indptr[touched + 1]
    lengths = ends - starts
    idx = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    idx += np.arange(lengths.sum())
    tracks = train.indices[idx]
    scores = np.bincount(
        tracks, weights=np.repeat(weights[touched], lengths), minlength=train.n_tracks + 1
    )
    return scores / norm


def top_k(scores: np.ndarray, exclude: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k best scores, best first, skipping padding and the seed tracks."""
    scores = np.asarray(scores, np.float64).copy()
    scores[0] = -np.inf
    scores[exclude] = -np.inf
    k = min(k, len(scores) - 1 - len(np.unique(exclude)))
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    # ties broken by index, so rankings are deterministic
    return part[np.lexsort((part, -scores[part]))][:k]


def popularity_rankings(train: Csr, seeds: Sequence[np.ndarray], k: int) -> list[np.ndarray]:
    scores = popularity_scores(train)
    return [top_k(scores, s, k) for s in seeds]


def cooccurrence_rankings(train: Csr, seeds: Sequence[np.ndarray], k: int) -> list[np.ndarray]:
    pop = popularity_scores(train)
    pop = np.where(np.isfinite(pop), pop, 0.0)
    tiebreak = 1e-9 * pop / max(pop.max(), 1.0)  # unseen seeds fall back to popularity
    return [top_k(cooccurrence_scores(train, s) + tiebreak, s, k) for s in seeds]
