"""The one shape every candidate retriever has: fitted on a playlist x track matrix, it
scores a batch of queries.

A retriever is a small object with ``scores(queries)``; the pipeline's list of them
(``ranker.candidates.RETRIEVERS``) pairs each with its name, its candidate depth and how to
build it from a ``FitContext``. The context holds what several retrievers share (the
matrix, its neighbour index, the name index, ALS), each built once, on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol, TypeVar, cast

import numpy as np

from tunegraph.model.data.export import TrackTable
from tunegraph.model.data.matrix import Csr
from tunegraph.model.retrievers.als import Als
from tunegraph.model.retrievers.names import NameIndex
from tunegraph.model.retrievers.neighbours import Neighbours
from tunegraph.model.retrievers.scores import DenseScores, SparseScores

Scores = DenseScores | SparseScores
T = TypeVar("T")
QueryEmbedder = Callable[[Sequence[np.ndarray], np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Queries:
    """A batch of queries: each one's seed track indices, title ("" when none is shown)
    and index in the query vocabulary (used by the id tower only)."""

    seeds: Sequence[np.ndarray]
    names: Sequence[str]
    query_index: np.ndarray
    _shared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.seeds)

    def shared(self, key: str, compute: Callable[[], T]) -> T:
        """Work several retrievers (or the ranker's features) need for this batch, done
        once: the first caller computes it, the others read it."""
        if key not in self._shared:
            self._shared[key] = compute()
        return cast(T, self._shared[key])


class Retriever(Protocol):
    """Scores every track for each query of a batch (seeds need not be excluded)."""

    def scores(self, queries: Queries) -> Scores: ...


@dataclass(frozen=True)
class Tower:
    """The two-tower model as the retrievers see it: a query embedder and the [T+1, d]
    candidate embeddings."""

    embed: QueryEmbedder
    items: np.ndarray


class TowerRetriever:
    """The two-tower model as a retriever."""

    def __init__(self, tower: Tower) -> None:
        self.tower = tower

    def scores(self, queries: Queries) -> DenseScores:
        return DenseScores(self.tower.embed(queries.seeds, queries.query_index), self.tower.items)


class FitContext:
    """What retrievers are fitted from; shared pieces are built once, when first asked for."""

    def __init__(
        self,
        train: Csr,
        tracks: TrackTable,
        names: Sequence[str],
        als: Als,
        tower: Tower | None = None,
    ) -> None:
        self.train = train
        self.tracks = tracks
        self.playlist_names = names
        self.als = als
        self.tower = tower

    @cached_property
    def neighbours(self) -> Neighbours:
        return Neighbours(self.train)

    @cached_property
    def name_index(self) -> NameIndex:
        return NameIndex(self.playlist_names, self.train)


RetrieverBuilder = Callable[[FitContext], Retriever | None]  # None: not available here


@dataclass(frozen=True)
class RetrieverSpec:
    """One entry of the pipeline's retriever list."""

    name: str
    depth: int  # how many of its top tracks join the candidates
    build: RetrieverBuilder
