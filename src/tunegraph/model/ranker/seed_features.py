"""Ranker features that compare a candidate with each seed track, not with the seed as a whole.

A retriever's score sums over the seed: a candidate close to one seed track and one close
to all of them can tie. The RecSys 2018 winners' rankers read statistics of per-seed
similarities instead (the best, the mean, how many seeds agree, the last tracks added),
and so does ours: co-occurrence (cosine, counted over the playlists that weigh most for
the query, as item co-occurrence does), ALS and two-tower cosine, and first-artist
matches with the last seed tracks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from tunegraph.model.data.matrix import Csr

SEED_FEATURES: tuple[str, ...] = (
    "cooc_max",
    "cooc_mean",
    "cooc_seed_share",
    "cooc_last_max",
    "als_sim_max",
    "als_sim_mean",
    "als_sim_last",
    "tower_sim_max",
    "tower_sim_mean",
    "artist_last",
    "has_title",
)
LAST = 5  # "the last seeds": the tracks most recently added to the playlist
SUB_BATCH = 32  # queries whose co-occurrence is counted in one sparse product
# cosine statistics over at most the last this many seed tracks: a [C, seed] matrix per
# query stays small for a seed of 20,000 tracks, and a playlist's latest tracks say most
SIMILARITY_SEEDS = 500


def _unit_rows(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return (m / np.maximum(norms, 1e-9)).astype(np.float32)


class SeedComparer:
    """Fitted on the playlist x track matrix the retrievers see, and their embeddings."""

    def __init__(
        self,
        train: Csr,
        als_items: np.ndarray,
        tower_items: np.ndarray | None,
        artist_index: np.ndarray,
        matrix: sp.csr_matrix | None = None,
    ) -> None:
        # ``train`` as scipy CSR: pass the one a caller holds already (at MPD scale each
        # copy is hundreds of MB)
        self.matrix = matrix if matrix is not None else train.matrix()
        self.n_tracks = train.n_tracks
        self.degree = np.maximum(train.counts, 1.0).astype(np.float32)
        self.als = _unit_rows(als_items)
        self.tower = _unit_rows(tower_items) if tower_items is not None else None
        self.artist = artist_index

    def features(
        self,
        indices: np.ndarray,
        seeds: Sequence[np.ndarray],
        names: Sequence[str],
        playlists: sp.csr_matrix,
    ) -> np.ndarray:
        """[Q, C, len(SEED_FEATURES)] for candidates ``indices`` [Q, C] (0 = padding).

        ``playlists`` [Q, training playlists]: the playlists co-occurrence is counted
        over for each query (nonzero entries), those item co-occurrence weighs most.
        """
        q, c = indices.shape
        out = np.zeros((q, c, len(SEED_FEATURES)), np.float32)
        for lo in range(0, q, SUB_BATCH):
            hi = min(lo + SUB_BATCH, q)
            out[lo:hi, :, 0:4] = self._cooccurrence(indices[lo:hi], seeds[lo:hi], playlists[lo:hi])
        for row in range(q):
            seed = np.asarray(seeds[row], np.int64)
            seed = seed[seed > 0]
            if len(seed) == 0:
                continue
            cand = indices[row]
            out[row, :, 4:7] = _similarity_stats(self.als, cand, seed)
            if self.tower is not None:
                out[row, :, 7:9] = _similarity_stats(self.tower, cand, seed)[:, :2]
            artists = self.artist[cand]
            recent = self.artist[seed[-LAST:]]
            same = (artists[:, None] == recent[None, :]) & (artists[:, None] > 0)
            out[row, :, 9] = same.sum(axis=1) / len(recent)
        out[:, :, 10] = np.array([bool(n.strip()) for n in names], np.float32)[:, None]
        out[indices == 0] = 0.0
        return out

    def _cooccurrence(
        self, indices: np.ndarray, seeds: Sequence[np.ndarray], playlists: sp.csr_matrix
    ) -> np.ndarray:
        """[q, C, 4]: max and mean cosine co-occurrence with the seed tracks, the share of
        seed tracks that co-occur at all, and the max over the last seed tracks.

        One sparse product for the whole sub-batch: A [seed slots, (query, playlist)]
        times B [(query, playlist), (query, candidate)] is block-diagonal by query, since
        each (query, playlist) column belongs to one query.
        """
        q, c = indices.shape
        playlists = playlists.tocsr()
        # the tracks of each (query, kept playlist) pair; query r's are bounds[r]:bounds[r + 1]
        walked = self.matrix[playlists.indices]
        track = walked.indices
        bounds = walked.indptr[playlists.indptr]

        # each entry's code: a seed slot s as -2 - s, candidate j of query r as r * c + j,
        # -1 for the other tracks; one gather per query through a reused track -> code map
        code = np.empty(len(track), np.int64)
        slot_track, slot_query, slot_recent = [], [], []
        scratch = np.full(self.n_tracks + 1, -1, np.int64)
        n_slots = 0
        for r in range(q):
            seed = np.asarray(seeds[r], np.int64)
            unique = np.unique(seed[seed > 0])
            scratch[indices[r]] = r * c + np.arange(c)
            scratch[0] = -1
            scratch[unique] = -2 - (n_slots + np.arange(len(unique)))  # seeds are never candidates
            code[bounds[r] : bounds[r + 1]] = scratch[track[bounds[r] : bounds[r + 1]]]
            scratch[indices[r]] = -1
            scratch[unique] = -1
            n_slots += len(unique)
            slot_track.append(unique)
            slot_query.append(np.full(len(unique), r))
            slot_recent.append(np.isin(unique, seed[-LAST:]))
        slots = np.concatenate(slot_track)
        # [pairs, slots] and [pairs, candidates], built row by row since entries come by pair
        seeds_at, candidates_at = np.flatnonzero(code <= -2), np.flatnonzero(code >= 0)
        a = _pair_rows(seeds_at, -2 - code[seeds_at], walked.indptr, n_slots).T.tocsr()
        b = _pair_rows(candidates_at, code[candidates_at], walked.indptr, q * c)
        m = (a @ b).tocoo()
        cosine = m.data / np.sqrt(self.degree[slots[m.row]] * self.degree[indices.ravel()[m.col]])
        out = np.zeros((q * c, 4), np.float32)
        np.maximum.at(out[:, 0], m.col, cosine)
        n_seeds = np.maximum(np.bincount(np.concatenate(slot_query), minlength=q), 1)
        spread = np.repeat(n_seeds.astype(np.float32), c)
        out[:, 1] = np.bincount(m.col, cosine, minlength=q * c) / spread
        out[:, 2] = np.bincount(m.col, minlength=q * c) / spread
        recent = np.concatenate(slot_recent)[m.row]
        np.maximum.at(out[:, 3], m.col[recent], cosine[recent])
        return out.reshape(q, c, 4)


def _pair_rows(
    positions: np.ndarray, columns: np.ndarray, indptr: np.ndarray, width: int
) -> sp.csr_matrix:
    """[pairs, width] CSR of ones at ``columns`` for the entries at ``positions`` (sorted)
    of a matrix whose rows are ``indptr``'s: no sort, the entries already come by row."""
    starts = np.searchsorted(positions, indptr)
    data = np.ones(len(positions), np.float32)
    return sp.csr_matrix((data, columns, starts), shape=(len(indptr) - 1, width))


def _similarity_stats(units: np.ndarray, candidates: np.ndarray, seed: np.ndarray) -> np.ndarray:
    """[C, 3]: max and mean cosine to the seed tracks, and the mean over the last ones."""
    sims = units[candidates] @ units[seed[-SIMILARITY_SEEDS:]].T  # [C, seeds]
    return np.stack([sims.max(axis=1), sims.mean(axis=1), sims[:, -LAST:].mean(axis=1)], axis=1)
