"""The trained pipeline in memory: several retrievers propose, the ranker orders.

Training, evaluation and ``recommend`` all go through this one class, so the figures
reported are those of the code that serves recommendations. The two-tower model alone
stays available (``use_ranker=False``) as the "retrieval" row of the reports.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TypeVar

import numpy as np

from tunegraph.model.data.export import TrackTable
from tunegraph.model.data.matrix import Csr
from tunegraph.model.errors import UnknownIdError
from tunegraph.model.metrics import Ids
from tunegraph.model.ranker.candidates import CandidateBatch, Retrievers
from tunegraph.model.ranker.tfrs import Ranker
from tunegraph.model.retrievers.als import Als
from tunegraph.model.retrievers.protocol import Tower
from tunegraph.model.twotower.query_encoder import QueryEncoder
from tunegraph.model.twotower.retrieval import (
    RetrievalConfig,
    RetrievalModel,
    query_inputs,
    top_k_scored,
)

QUERY_BATCH = 256  # queries per candidate batch: their score matrices stay small
T = TypeVar("T")
PARALLEL_BATCHES = 2  # batches in flight: numpy, scipy and TF release the GIL in the heavy parts


@dataclass
class Recommender:
    """Two-tower model + the other retrievers' state + the ranker.

    ``train`` and ``als`` are what the retrievers know: the training view of the split
    while figures are computed, every playlist once the model is saved for serving.
    ``playlist_names`` are aligned with ``train``'s rows.
    """

    config: RetrievalConfig
    model: RetrievalModel
    candidates: np.ndarray  # [T+1, d] two-tower candidate embeddings
    train: Csr
    tracks: TrackTable
    playlist_names: list[str] = field(default_factory=list)
    als: Als | None = None
    ranker: Ranker | None = None
    _retrievers: Retrievers | None = field(default=None, repr=False)
    # the query tower in numpy: read out of ``model`` once, no lock or TensorFlow per call
    _encoder: QueryEncoder = field(init=False, repr=False)
    # Keras layers are not safe to call from two threads at once: batches in flight
    # share the numpy and scipy work, and take turns with the TFRS ranker
    _keras_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._encoder = QueryEncoder.of(self.model)

    def retrieve(
        self, query_index: Ids, seeds: Sequence[np.ndarray], k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (indices, scores) by the two-tower model alone, seeds excluded."""
        queries = self.tower_queries(seeds, np.asarray(query_index, np.int32))
        return top_k_scored(queries, self.candidates, seeds, k)

    def tower_queries(self, seeds: Sequence[np.ndarray], query_index: np.ndarray) -> np.ndarray:
        """[Q, d] two-tower query embeddings."""
        return self._encoder(query_inputs(self.config, query_index, seeds))

    def retrievers(self) -> Retrievers:
        """Every retriever, fitted on ``train`` and ``als``: built on first use, and again
        when a copy (``refit_on``) holds another matrix or ALS, never served stale."""
        built = self._retrievers
        if built is None or built.train is not self.train or built.als is not self.als:
            if self.als is None:
                raise ValueError("the hybrid pipeline needs a fitted ALS retriever")
            names = self.playlist_names or [""] * len(self.train)
            tower = Tower(self.tower_queries, self.candidates)
            built = Retrievers(self.train, self.tracks, names, self.als, tower)
            self._retrievers = built
        return built

    def refit_on(self, train: Csr, als: Als) -> Recommender:
        """The same two-tower model and ranker over other retriever state (the training
        view for the figures, every playlist for serving)."""
        return replace(self, train=train, als=als, _retrievers=None)

    def candidate_batch(
        self,
        seeds: Sequence[np.ndarray],
        names: Sequence[str],
        query_index: np.ndarray | None = None,
        alone: bool = True,
    ) -> CandidateBatch:
        """``alone``: no other batch runs beside this one, so its dense scans may take the
        other core."""
        return self.retrievers().candidates(seeds, names, query_index, scan_beside=alone)

    def candidate_arrays(
        self, seeds: Sequence[np.ndarray], names: Sequence[str], query_index: np.ndarray
    ) -> CandidateBatch:
        """Candidates of many queries, QUERY_BATCH at a time, padded to one width."""
        self.retrievers()  # built once, before batches run in parallel
        parts = _in_batches(
            len(seeds),
            lambda rows, alone: self.candidate_batch(
                [seeds[r] for r in rows], [names[r] for r in rows], query_index[rows], alone
            ),
        )
        width = max((p.indices.shape[1] for p in parts), default=0)
        pad = [((0, 0), (0, width - p.indices.shape[1])) for p in parts]
        indices = np.concatenate([np.pad(p.indices, w) for p, w in zip(parts, pad, strict=True)])
        features = np.concatenate(
            [np.pad(p.features, (*w, (0, 0))) for p, w in zip(parts, pad, strict=True)]
        )
        return CandidateBatch(indices, features)

    def rank(
        self,
        query_index: Ids,
        seeds: Sequence[np.ndarray],
        k: int,
        use_ranker: bool = True,
        names: Sequence[str] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Final lists [Q, k] (indices, scores), best first, seeds excluded.

        With a ranker: merged candidates, ordered by the ranker; rows with fewer than k
        candidates are padded with 0, and so is a query with no seed and a name no
        training playlist shares (nothing to go on: the caller's popularity top-up is
        the honest answer). Without a ranker: the two-tower model's own top-k.
        """
        if not (use_ranker and self.ranker is not None):
            return self.retrieve(query_index, seeds, k)
        names = list(names) if names is not None else [""] * len(seeds)
        index = self.retrievers().names
        pairs = zip(seeds, names, strict=True)
        informed = np.flatnonzero([len(s) > 0 or index.knows(n) for s, n in pairs])
        qix = np.asarray(query_index, np.int32)
        out_ix = np.zeros((len(seeds), k), np.int32)
        out_sc = np.full((len(seeds), k), -np.inf, np.float32)
        ranker = self.ranker

        def ranked(positions: np.ndarray, alone: bool) -> None:
            rows = informed[positions]
            batch = self.candidate_batch(
                [seeds[r] for r in rows], [names[r] for r in rows], qix[rows], alone
            )
            with self._keras_lock:
                scores = ranker.scores(batch.features, batch.mask)
            order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
            width = order.shape[1]
            out_ix[rows, :width] = np.take_along_axis(batch.indices, order, axis=1)
            out_sc[rows, :width] = np.take_along_axis(scores, order, axis=1)

        _in_batches(len(informed), ranked)
        out_ix[~np.isfinite(out_sc)] = 0
        return out_ix, out_sc

    def recommend_lists(
        self, seeds: Sequence[np.ndarray], names: Sequence[str], k: int
    ) -> np.ndarray:
        """[Q, k] int32 track indices (1-based into self.tracks.ids; 0 = nothing more), best
        first, seeds excluded: what batch recommendation asks of the model, one row per list.
        ``names`` are the playlists' titles; a list with no seeds is answered from its name.
        """
        if self.config.query_tower == "id":
            raise UnknownIdError(
                "this model's id query tower knows only training playlists as ids; "
                "retrain with --query-tower pooled to recommend for lists of tracks"
            )
        indices, _ = self.rank(np.zeros(len(seeds), np.int32), seeds, k, names=names)
        if indices.shape[1] < k:
            indices = np.pad(indices, ((0, 0), (0, k - indices.shape[1])))
        return indices


def _in_batches(n: int, work: Callable[[np.ndarray, bool], T]) -> list[T]:
    """``work(positions, alone)`` on positions 0..n-1, QUERY_BATCH at a time,
    PARALLEL_BATCHES at once (``alone``: a single batch, with the cores to itself); the
    results in order (each batch writes only its own rows, so order of finishing is free)."""
    chunks = [np.arange(i, min(i + QUERY_BATCH, n)) for i in range(0, n, QUERY_BATCH)]
    if len(chunks) < 2:
        return [work(c, True) for c in chunks]
    with ThreadPoolExecutor(PARALLEL_BATCHES) as pool:
        return list(pool.map(lambda c: work(c, False), chunks))
