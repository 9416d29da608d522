"""The playlist x track matrix every retriever and baseline shares, and top-k over scores.

Also the simplest baseline, popularity: what a recommender gets for free. The strong
simple ones live with their methods: co-occurrence (``neighbours``), EASE (``ease``) and
ALS (``als``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp

SCORE_CELLS = 32_000_000  # scores per dense batch (128 MB of float32), whatever T is


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

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def matrix(self) -> sp.csr_matrix:
        """The binary playlist x (T+1) track matrix as scipy CSR (column 0 = padding)."""
        data = np.ones(len(self.indices), np.float32)
        shape = (len(self), self.n_tracks + 1)
        return sp.csr_matrix((data, self.indices, self.indptr), shape=shape)


def rows_matrix(rows: Sequence[Sequence[int] | np.ndarray], n_columns: int) -> sp.csr_matrix:
    """A binary CSR matrix with one row per list, a 1 in each column the list names."""
    lengths = np.array([len(r) for r in rows], np.int64)
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    indices = (
        np.concatenate([np.asarray(r, np.int64) for r in rows]) if rows else np.zeros(0, np.int64)
    )
    data = np.ones(int(lengths.sum()), np.float32)
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), n_columns))


def seed_matrix(seeds: Sequence[np.ndarray], n_tracks: int) -> sp.csr_matrix:
    """Seeds as a binary [Q, T+1] CSR matrix (duplicates and padding dropped)."""
    rows = [np.unique(s[s > 0]) for s in (np.asarray(s, np.int64) for s in seeds)]
    return rows_matrix(rows, n_tracks + 1)


def popularity_scores(train: Csr) -> np.ndarray:
    """[T+1] scores: how many training playlists hold each track (index 0 never wins)."""
    scores = train.counts.astype(np.float64).copy()
    scores[0] = -np.inf
    return scores


def top_k(scores: np.ndarray, exclude: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k best scores, best first, skipping padding and the seed tracks."""
    scores = np.asarray(scores, np.float64).copy()
    scores[0] = -np.inf
    scores[exclude] = -np.inf
    k = min(k, len(scores) - 1 - len(np.unique(exclude)))
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    # ties broken by index, so rankings are deterministic
    return part[np.lexsort((part, -scores[part]))][:k]


def top_k_dense(scores: np.ndarray, seeds: Sequence[np.ndarray], k: int) -> np.ndarray:
    """[Q, k] best indices per row of a dense [Q, T+1] score matrix, padding and seeds
    excluded (their scores are overwritten in place; where fewer than k tracks remain,
    the row ends in 0s)."""
    scores[:, 0] = -np.inf
    for row, seed in enumerate(seeds):
        scores[row, seed] = -np.inf
    values, best = top_rows(scores, k)
    best = best.astype(np.int32)
    best[~np.isfinite(values)] = 0
    return best


SAMPLE_STRIDE = 32  # one score in this many is read to estimate a row's cut-off


def top_rows(scores: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's ``depth`` largest (values, columns) of a dense [Q, n] matrix, best
    first, equal scores in column order.

    Partitioning whole rows was most of dense retrieval's time. A strided sample of each
    row gives a cut-off that about twice ``depth`` scores pass; only those are sorted. A
    row where fewer pass (its scores ordered by column, say) takes its exact cut-off from
    a partition instead: the answer is the same either way.
    """
    q, n = scores.shape
    depth = min(depth, n)
    values = np.empty((q, depth), scores.dtype)
    columns = np.zeros((q, depth), np.int64)
    if depth == 0 or q == 0:
        return values, columns
    cuts = _sampled_cut_offs(scores, depth)
    for row in range(q):
        line = scores[row]
        picked = np.flatnonzero(line >= cuts[row]) if cuts is not None else np.zeros(0, np.int64)
        if len(picked) < depth:
            cut = np.partition(line, n - depth)[n - depth]
            picked = np.flatnonzero(line >= cut)
        picked_values = line[picked]
        order = np.lexsort((picked, -picked_values))[:depth]
        values[row], columns[row] = picked_values[order], picked[order]
    return values, columns


def _sampled_cut_offs(scores: np.ndarray, depth: int) -> np.ndarray | None:
    """[Q] per row, a score about 2 x ``depth`` entries reach (None: rows too short to
    sample, partition them whole)."""
    sample = scores[:, ::SAMPLE_STRIDE]
    width = sample.shape[1]
    above = 2 * depth // SAMPLE_STRIDE  # sampled entries above the cut-off
    if width < 4 * (above + 1):
        return None
    kth = width - 1 - above
    return np.partition(sample, kth, axis=1)[:, kth]


def top_k_rows(
    score_fn: Callable[[Sequence[np.ndarray]], np.ndarray],
    seeds: Sequence[np.ndarray],
    k: int,
    fallback: np.ndarray | None = None,
) -> list[np.ndarray]:
    """Lists from a batched scorer, a [Q, T+1] batch of at most SCORE_CELLS scores at a
    time (256 queries at 100k tracks, 14 at the MPD's 2.26 M); ties (and queries the
    scorer knows nothing about) are broken by ``fallback`` (e.g. training counts)."""
    tiebreak = None
    if fallback is not None:
        tiebreak = (1e-6 * fallback / max(float(fallback.max()), 1.0)).astype(np.float32)
    out: list[np.ndarray] = []
    start, batch = 0, 1  # the first batch is one query: it tells the width T+1
    while start < len(seeds):
        chunk = seeds[start : start + batch]
        scores = np.asarray(score_fn(chunk), np.float32)
        if tiebreak is not None:
            peak = np.maximum(np.abs(scores).max(axis=1, keepdims=True), 1e-12)
            scores = scores / peak + tiebreak
        out.extend(row[row > 0] for row in top_k_dense(scores, chunk, k))
        start += len(chunk)
        batch = max(1, min(256, SCORE_CELLS // scores.shape[1]))
    return out


def popularity_rankings(train: Csr, seeds: Sequence[np.ndarray], k: int) -> list[np.ndarray]:
    scores = popularity_scores(train)
    return [top_k(scores, s, k) for s in seeds]
