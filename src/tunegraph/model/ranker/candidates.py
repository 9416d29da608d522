"""Candidates from several retrievers, merged, with the pair features the ranker reads.

Each retriever knows something the others do not: ALS the global taste factors, item
co-occurrence the direct neighbours of each seed track, playlist kNN whole playlists like
this one, RP3beta where a short random walk through the playlists lands, the two-tower
model what it learned with in-batch negatives, the name what a short seed cannot say.
Each contributes its own top tracks (its depth in ``RETRIEVERS``); the union is the
candidate list, and every candidate is described by every retriever's opinion of it, by
what the graph knows (shared artists, every credited one, and albums with the seed), and
by how it compares with each seed track (``seed_features``).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from tunegraph.model.data.export import TrackTable
from tunegraph.model.data.matrix import Csr, seed_matrix
from tunegraph.model.ranker.seed_features import SEED_FEATURES, SeedComparer
from tunegraph.model.retrievers.als import Als, AlsRetriever
from tunegraph.model.retrievers.names import NameExact, NameWords
from tunegraph.model.retrievers.neighbours import (
    ItemKnn,
    NeighbourShare,
    PlaylistKnn,
    kept_playlists,
)
from tunegraph.model.retrievers.protocol import (
    FitContext,
    Queries,
    Retriever,
    RetrieverSpec,
    Scores,
    Tower,
    TowerRetriever,
)
from tunegraph.model.retrievers.rp3beta import Rp3Beta
from tunegraph.model.retrievers.scores import DenseScores, SparseScores

# The pipeline's retrievers, in the order their candidates are merged; depth 0: its scores
# are ranker features only. A new retriever is a module with a ``scores`` method and a line here.
RETRIEVERS: tuple[RetrieverSpec, ...] = (
    RetrieverSpec("als", 500, lambda ctx: AlsRetriever(ctx.als)),
    RetrieverSpec("item_knn", 500, lambda ctx: ItemKnn(ctx.neighbours)),
    RetrieverSpec("playlist_knn", 300, lambda ctx: PlaylistKnn(ctx.neighbours)),
    RetrieverSpec("tower", 300, lambda ctx: TowerRetriever(ctx.tower) if ctx.tower else None),
    RetrieverSpec("name", 100, lambda ctx: NameExact(ctx.name_index)),
    RetrieverSpec("name_words", 50, lambda ctx: NameWords(ctx.name_index)),
    RetrieverSpec("rp3beta", 300, lambda ctx: Rp3Beta(ctx.train)),
    RetrieverSpec("knn_share", 0, lambda ctx: NeighbourShare(ctx.neighbours)),
)
SOURCES: tuple[str, ...] = tuple(spec.name for spec in RETRIEVERS)
DEPTH: dict[str, int] = {spec.name: spec.depth for spec in RETRIEVERS}
GRAPH_FEATURES: tuple[str, ...] = (
    "log_train_count",
    "artist_share",
    "album_share",
    "log_seed_len",
    "name_known",
    "api_popularity",
    "has_api_popularity",
)
FEATURES: tuple[str, ...] = (
    *(f"{s}_score" for s in SOURCES),
    *(f"{s}_rank" for s in SOURCES),
    *GRAPH_FEATURES,
    *SEED_FEATURES,
)


@dataclass(frozen=True)
class CandidateBatch:
    """[Q, C] candidate track indices (0 = padding), their [Q, C, F] features and a mask."""

    indices: np.ndarray
    features: np.ndarray

    @property
    def mask(self) -> np.ndarray:
        return self.indices > 0


class Retrievers:
    """Every retriever of ``RETRIEVERS`` fitted on one playlist x track matrix (training
    view or all data), and what the ranker's features need beside them."""

    def __init__(
        self,
        train: Csr,
        tracks: TrackTable,
        names: Sequence[str],
        als: Als,
        tower: Tower | None = None,
    ) -> None:
        context = FitContext(train, tracks, names, als, tower)
        self.train = train
        self.als = als
        self.tracks = tracks
        self.fitted: dict[str, Retriever] = {}
        for spec in RETRIEVERS:
            retriever = spec.build(context)
            if retriever is not None:
                self.fitted[spec.name] = retriever
        self.neighbours = context.neighbours
        self.names = context.name_index
        self.comparer = SeedComparer(
            train,
            als.item_factors,
            tower.items if tower else None,
            tracks.artist_index,
            matrix=self.neighbours.x,
        )
        self.credits = tracks.credits()
        self.albums = _one_hot(tracks.album_index)
        self.log_counts = np.log1p(train.counts).astype(np.float32)
        # where the factor models scan every track beside the sparse work (``proposed``)
        self._scanner = ThreadPoolExecutor(1, thread_name_prefix="dense-top")

    def scores(self, queries: Queries) -> dict[str, Scores]:
        """{source: its scores} for a batch of queries (fitted retrievers only)."""
        return {name: retriever.scores(queries) for name, retriever in self.fitted.items()}

    def candidates(
        self,
        seeds: Sequence[np.ndarray],
        names: Sequence[str],
        query_index: np.ndarray | None = None,
        depth: dict[str, int] | None = None,
        scan_beside: bool = False,
    ) -> CandidateBatch:
        """The merged candidates of a batch of queries, with their features (``scan_beside``:
        see ``proposed``)."""
        seeds = [np.asarray(s, np.int64) for s in seeds]
        qix = np.zeros(len(seeds), np.int32) if query_index is None else query_index
        queries = Queries(seeds, names, qix)
        scores, proposed = self.proposed(queries, depth, scan_beside)
        indices = _union_rows(np.concatenate(list(proposed.values()), axis=1))
        return CandidateBatch(indices, self._features(indices, scores, queries))

    def proposed(
        self, queries: Queries, depth: dict[str, int] | None = None, scan_beside: bool = False
    ) -> tuple[dict[str, Scores], dict[str, np.ndarray]]:
        """Every retriever's scores, and each proposing one's own top tracks [Q, depth]
        (best first, seeds excluded): the candidates, and where explanations find ranks.

        ``scan_beside``: the factor models scan every track on a thread of their own while
        this one works out the sparse retrievers, for a batch that has the cores to itself
        (one call, a served batch); batches already in flight side by side fill them."""
        depth = depth or DEPTH
        scores: dict[str, Scores] = {}
        tops: dict[str, Future[np.ndarray] | np.ndarray] = {}
        for name, retriever in self.fitted.items():
            scores[name] = found = retriever.scores(queries)
            if depth.get(name, 0) <= 0:
                continue
            if scan_beside and isinstance(found, DenseScores):
                tops[name] = self._scanner.submit(found.top, queries.seeds, depth[name])
            else:
                tops[name] = found.top(queries.seeds, depth[name])
        return scores, {s: t.result() if isinstance(t, Future) else t for s, t in tops.items()}

    def _features(
        self, indices: np.ndarray, scores: dict[str, Scores], queries: Queries
    ) -> np.ndarray:
        q, c = indices.shape
        seeds = queries.seeds
        mask = indices > 0
        out = np.zeros((q, c, len(FEATURES)), np.float32)
        rows = np.arange(q)[:, None]
        for f, source in enumerate(SOURCES):
            if source not in scores:
                continue
            peak = np.maximum(scores[source].peak(seeds), 1e-9)[:, None]
            value = np.where(mask, scores[source].at(indices) / peak, -1.0)
            out[:, :, f] = value
            order = np.argsort(-value, axis=1, kind="stable")
            rank = np.empty_like(order)
            rank[rows, order] = np.arange(c)[None, :]
            out[:, :, len(SOURCES) + f] = np.log1p(rank)
        base = 2 * len(SOURCES)
        out[:, :, base] = self.log_counts[indices]
        sm = seed_matrix(seeds, self.train.n_tracks)
        sizes = np.maximum(np.asarray(sm.sum(axis=1)).ravel(), 1.0)[:, None]
        out[:, :, base + 1] = _shared(sm @ self.credits, self.credits, indices) / sizes
        out[:, :, base + 2] = _shared(sm @ self.albums, self.albums, indices) / sizes
        out[:, :, base + 3] = np.log1p(sizes)
        name = scores["name"]
        assert isinstance(name, SparseScores)  # names score sparsely by construction
        out[:, :, base + 4] = (name.matrix.getnnz(axis=1) > 0)[:, None]
        out[:, :, base + 5] = self.tracks.popularity[indices]
        out[:, :, base + 6] = self.tracks.popularity_mask[indices]
        weights = kept_playlists(self.neighbours, queries)
        extra = base + len(GRAPH_FEATURES)
        out[:, :, extra:] = self.comparer.features(indices, seeds, queries.names, weights)
        out[~mask] = 0.0
        return out


def _union_rows(picked: np.ndarray) -> np.ndarray:
    """Per row, the distinct indices in first-seen order, right-padded with 0."""
    rows = []
    for row in picked:
        _, first = np.unique(row, return_index=True)
        kept = row[np.sort(first)]
        rows.append(kept[kept > 0])
    width = max((len(r) for r in rows), default=0)
    out = np.zeros((len(rows), width), np.int32)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


def _one_hot(index: np.ndarray) -> sp.csr_matrix:
    """[T+1, n] one-hot rows of a per-track index; index 0 (unknown) maps to no column."""
    known = index > 0
    rows = np.flatnonzero(known)
    data = np.ones(len(rows), np.float32)
    shape = (len(index), int(index.max()) + 1 if len(index) else 1)
    return sp.csr_matrix((data, (rows, index[known])), shape=shape)


def _shared(seed_side: sp.spmatrix, side: sp.csr_matrix, indices: np.ndarray) -> np.ndarray:
    """[Q, C]: per candidate, how many seed tracks share an artist (or album) with it.

    ``seed_side`` [Q, n] counts the seed's tracks per artist; ``side`` [T+1, n] marks each
    track's artists. Each candidate's few artists are looked up in its query's sparse
    seed row (a sorted search over (query, artist) keys): memory follows the seed's
    distinct artists plus the candidates, never their product (a copy of the seed row
    per candidate took gigabytes for seeds of 20,000 tracks).
    """
    q, c = indices.shape
    seed = sp.csr_matrix(seed_side, dtype=np.float32)
    seed.sum_duplicates()  # sorted columns within each row: the keys below are sorted
    n = seed.shape[1]
    seed_keys = np.repeat(np.arange(q, dtype=np.int64), np.diff(seed.indptr)) * n + seed.indices
    picked = sp.csr_matrix(side[indices.ravel()])
    pair = np.repeat(np.arange(q * c, dtype=np.int64), np.diff(picked.indptr))
    keys = (pair // c) * n + picked.indices
    at = np.minimum(np.searchsorted(seed_keys, keys), max(len(seed_keys) - 1, 0))
    hit = seed_keys[at] == keys if len(seed_keys) else np.zeros(len(keys), bool)
    counts = np.where(hit, seed.data[at] if len(seed_keys) else 0.0, 0.0) * picked.data
    return np.bincount(pair, weights=counts, minlength=q * c).astype(np.float32).reshape(q, c)
