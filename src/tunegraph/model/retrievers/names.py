"""Playlist names as a retriever: what playlists called the same (or with the same words) hold.

Names carry much of what a short seed cannot say ("workout", "country", "chill"), and
they are all a cold playlist has. Names are normalised (``tunegraph.titles``: case,
punctuation, spacing; emoji kept), then scored two ways: the exact normalised name, and
each of its words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from tunegraph.model.data.matrix import Csr, rows_matrix
from tunegraph.model.retrievers.scores import SparseScores
from tunegraph.titles import normalize_title

if TYPE_CHECKING:
    from tunegraph.model.retrievers.protocol import Queries

_SMOOTHING = 2.0  # a name held by one playlist says less than one held by a hundred


class NameIndex:
    """Per normalised name and per word: the share of such playlists holding each track."""

    def __init__(self, names: Sequence[str], train: Csr) -> None:
        normal = [normalize_title(n) for n in names]
        self.exact_vocab = {n: i for i, n in enumerate(sorted({n for n in normal if n}))}
        words = sorted({w for n in normal for w in n.split()})
        self.word_vocab = {w: i for i, w in enumerate(words)}
        x = train.matrix()
        self.exact = _grouped(x, [[self.exact_vocab[n]] if n else [] for n in normal],
                              len(self.exact_vocab))  # fmt: skip
        self.words = _grouped(
            x, [[self.word_vocab[w] for w in set(n.split())] for n in normal], len(words)
        )
        self.n_tracks = train.n_tracks

    def knows(self, name: str) -> bool:
        """Whether the name, or one of its words, occurs among the training playlists."""
        return any(w in self.word_vocab for w in normalize_title(name).split())

    def exact_scores(self, names: Sequence[str]) -> sp.csr_matrix:
        """Sparse [Q, T+1]: what playlists of exactly this (normalised) name hold."""
        normal = [normalize_title(n) for n in names]
        exact = rows_matrix(
            [[self.exact_vocab[n]] if n in self.exact_vocab else [] for n in normal],
            len(self.exact_vocab),
        )
        return (exact @ self.exact).tocsr()

    def word_scores(self, names: Sequence[str]) -> sp.csr_matrix:
        """Sparse [Q, T+1]: the mean over the name's words of what such playlists hold."""
        normal = [normalize_title(n) for n in names]
        pick = rows_matrix(
            [[self.word_vocab[w] for w in n.split() if w in self.word_vocab] for n in normal],
            len(self.word_vocab),
        )
        counts = np.maximum(np.asarray(pick.sum(axis=1)).ravel(), 1.0)
        return (sp.diags(1.0 / counts).astype(np.float32) @ (pick @ self.words)).tocsr()


class NameExact:
    """The playlists of the same title as a retriever."""

    def __init__(self, index: NameIndex) -> None:
        self.index = index

    def scores(self, queries: Queries) -> SparseScores:
        return SparseScores(self.index.exact_scores(queries.names))


class NameWords:
    """The playlists sharing the title's words as a retriever."""

    def __init__(self, index: NameIndex) -> None:
        self.index = index

    def scores(self, queries: Queries) -> SparseScores:
        return SparseScores(self.index.word_scores(queries.names))


def _grouped(x: sp.csr_matrix, groups: Sequence[Sequence[int]], n_groups: int) -> sp.csr_matrix:
    """[groups, T+1]: how many playlists of each group hold each track, over (size + smoothing)."""
    member = rows_matrix(groups, n_groups).T.tocsr()  # [groups, playlists]
    sizes = np.asarray(member.sum(axis=1)).ravel()
    summed = (member @ x).tocsr()
    return sp.diags(1.0 / (sizes + _SMOOTHING)).astype(np.float32) @ summed
