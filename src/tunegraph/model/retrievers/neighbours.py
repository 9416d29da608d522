"""Neighbour retrievers over the playlist x track matrix: item co-occurrence and playlist kNN.

Both are sparse matrix products, so a batch of queries costs two multiplications rather
than a Python loop per seed track. Item co-occurrence is the cosine baseline; playlist
kNN (the playlists most like the seed, their tracks weighted by similarity) is the
neighbour method that did best in the RecSys 2018 challenge's simple-model field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from tunegraph.model.data.matrix import Csr, seed_matrix, top_k_rows
from tunegraph.model.retrievers.scores import SparseScores

if TYPE_CHECKING:
    from tunegraph.model.retrievers.protocol import Queries

ITEM_KNN_PLAYLISTS = 1000  # co-occurrence over the playlists that weigh most, not all of them


@dataclass(frozen=True)
class NeighbourConfig:
    neighbours: int = 100  # playlist kNN: how many similar playlists vote
    length_exponent: float = 0.5  # similarity = overlap / (|seed| |playlist|)^exponent
    similarity_power: float = 2.0  # sharpen: the closest playlists count much more


class Neighbours:
    def __init__(self, train: Csr, config: NeighbourConfig | None = None) -> None:
        self.config = config or NeighbourConfig()
        self.n_tracks = train.n_tracks
        self.x = train.matrix()
        self.xt = self.x.T.tocsr()
        self.norm = np.sqrt(np.maximum(train.counts, 1.0)).astype(np.float32)
        # each track's column over sqrt(its popularity), scaled once here rather than in
        # every batch's [Q, T+1] product (a second product as large as the first)
        self.x_over_norm = (self.x @ sp.diags(1.0 / self.norm).astype(np.float32)).tocsr()
        # and each track's playlists over sqrt(its popularity): a walk's first step
        self.to_playlists = (sp.diags(1.0 / self.norm).astype(np.float32) @ self.xt).tocsr()
        lengths = np.diff(train.indptr).astype(np.float32)
        self.length_penalty = np.maximum(lengths, 1.0) ** -self.config.length_exponent

    def item_weights(self, seeds: Sequence[np.ndarray], playlists: int = 0) -> sp.csr_matrix:
        """Sparse [Q, playlists]: how much each training playlist weighs for each query
        (its seed tracks, each 1/sqrt(popularity)); ``playlists`` > 0 keeps the heaviest
        (the exact sum walks every playlist holding a seed track, thousands for a hit)."""
        return reach_playlists(seeds, self.to_playlists, playlists)

    def item_scores(self, seeds: Sequence[np.ndarray], playlists: int = 0) -> sp.csr_matrix:
        """Sparse [Q, T+1]: sum over seed tracks i of cosine(i, c) over training playlists
        (over the ``playlists`` that weigh most for each query, when > 0)."""
        return self.cosine_over(self.item_weights(seeds, playlists))

    def cosine_over(self, weights: sp.csr_matrix) -> sp.csr_matrix:
        """Sparse [Q, T+1]: the tracks of the weighted playlists (``item_weights``), each
        over sqrt(its popularity)."""
        return (weights @ self.x_over_norm).tocsr()

    def similar_playlists(self, seeds: Sequence[np.ndarray]) -> sp.csr_matrix:
        """Sparse [Q, playlists]: each query's most similar training playlists."""
        s = seed_matrix(seeds, self.n_tracks)
        sizes = np.maximum(np.asarray(s.sum(axis=1)).ravel(), 1.0)
        overlap = (s @ self.xt).tocsr()
        overlap = overlap.multiply(self.length_penalty[None, :]).tocsr()
        overlap = overlap.multiply((sizes**-self.config.length_exponent)[:, None]).tocsr()
        return top_per_row(overlap, self.config.neighbours)

    def playlist_scores(self, seeds: Sequence[np.ndarray]) -> sp.csr_matrix:
        """Sparse [Q, T+1]: tracks of the most similar training playlists, by similarity."""
        return self.weighted_tracks(self.similar_playlists(seeds))

    def weighted_tracks(self, sim: sp.csr_matrix) -> sp.csr_matrix:
        """Sparse [Q, T+1]: the similar playlists' (``similar_playlists``) tracks, by
        similarity sharpened to ``similarity_power``."""
        return (sim.power(self.config.similarity_power) @ self.x).tocsr()

    def neighbour_shares(self, sim: sp.csr_matrix) -> sp.csr_matrix:
        """Sparse [Q, T+1]: the share of the similar playlists (``similar_playlists``)
        holding each track (a vote by head count, where ``weighted_tracks`` weighs by
        similarity)."""
        counts = np.maximum(sim.getnnz(axis=1), 1).astype(np.float32)
        voters = sp.csr_matrix((np.ones_like(sim.data), sim.indices, sim.indptr), sim.shape)
        return (sp.diags(1.0 / counts) @ (voters @ self.x)).tocsr()


def walk_start(
    queries: Queries, to_playlists: sp.csr_matrix, alpha: float, playlists: int
) -> sp.csr_matrix:
    """Sparse [Q, training playlists]: where a walk from each query's seed tracks lands
    in one step (``to_playlists``: each track's playlists over its popularity^``alpha``),
    the ``playlists`` heaviest (all when 0). Worked out once a batch for each (alpha,
    playlists): item co-occurrence, RP3beta and the per-seed features walk alike."""

    return queries.shared(
        f"walk_start/{alpha}/{playlists}",
        lambda: reach_playlists(queries.seeds, to_playlists, playlists),
    )


def reach_playlists(
    seeds: Sequence[np.ndarray], to_playlists: sp.csr_matrix, playlists: int
) -> sp.csr_matrix:
    """Sparse [Q, training playlists]: one walk step from each query's seed tracks over
    ``to_playlists`` [T+1, playlists], the ``playlists`` heaviest kept (all when 0)."""
    weights = (seed_matrix(seeds, to_playlists.shape[0] - 1) @ to_playlists).tocsr()
    return top_per_row(weights, playlists) if playlists > 0 else weights


def kept_playlists(neighbours: Neighbours, queries: Queries) -> sp.csr_matrix:
    """The playlists item co-occurrence counts over for this batch (``item_weights``):
    item co-occurrence and the per-seed features both read them."""
    return walk_start(queries, neighbours.to_playlists, 0.5, ITEM_KNN_PLAYLISTS)


def similar_playlists(neighbours: Neighbours, queries: Queries) -> sp.csr_matrix:
    """This batch's similar playlists, worked out once: playlist kNN and the head count
    both read them."""
    return queries.shared("similar_playlists", lambda: neighbours.similar_playlists(queries.seeds))


class ItemKnn:
    """Item co-occurrence (cosine) as a retriever."""

    def __init__(self, neighbours: Neighbours) -> None:
        self.neighbours = neighbours

    def scores(self, queries: Queries) -> SparseScores:
        return SparseScores(self.neighbours.cosine_over(kept_playlists(self.neighbours, queries)))


class PlaylistKnn:
    """Playlist kNN as a retriever: similar playlists' tracks, weighted by similarity."""

    def __init__(self, neighbours: Neighbours) -> None:
        self.neighbours = neighbours

    def scores(self, queries: Queries) -> SparseScores:
        sim = similar_playlists(self.neighbours, queries)
        return SparseScores(self.neighbours.weighted_tracks(sim))


class NeighbourShare:
    """How many of the similar playlists hold a track: a feature more than a retriever."""

    def __init__(self, neighbours: Neighbours) -> None:
        self.neighbours = neighbours

    def scores(self, queries: Queries) -> SparseScores:
        sim = similar_playlists(self.neighbours, queries)
        return SparseScores(self.neighbours.neighbour_shares(sim))


def top_per_row(m: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Keep the k largest entries of each row."""
    m = m.tocsr()
    m.sort_indices()
    data, indices, indptr = m.data, m.indices, m.indptr
    keep = np.zeros(len(data), bool)
    for row in range(m.shape[0]):
        lo, hi = indptr[row], indptr[row + 1]
        if hi - lo <= k:
            keep[lo:hi] = True
        else:
            keep[lo + np.argpartition(-data[lo:hi], k - 1)[:k]] = True
    rows = np.repeat(np.arange(m.shape[0]), np.diff(indptr))
    return sp.csr_matrix((data[keep], (rows[keep], indices[keep])), shape=m.shape)


# The co-occurrence baseline sums over at most this many playlists per query, those that
# weigh most: every one of them below this many training playlists (exact there), while at
# MPD size a query of popular seed tracks would otherwise walk most of the collection.
BASELINE_PLAYLISTS = 10_000


def cooccurrence_rankings(
    train: Csr, seeds: Sequence[np.ndarray], k: int, max_playlists: int = BASELINE_PLAYLISTS
) -> list[np.ndarray]:
    """The co-occurrence baseline's lists (unknown seeds fall back to popularity)."""
    neighbours = Neighbours(train)
    cap = max_playlists if len(train) > max_playlists else 0  # 0: exact
    return top_k_rows(
        lambda batch: neighbours.item_scores(batch, cap).toarray(),
        seeds,
        k,
        fallback=train.counts,
    )
