"""RP3beta: a three-step random walk track -> playlist -> track, popularity penalised.

A walk from the seed tracks to the playlists holding them and on to those playlists'
tracks, each step a transition probability raised to ``alpha``; the landing track's
score is then divided by its popularity to the power ``beta``, which lifts the tracks
the seeds lead to specifically over the ones every walk ends on. Reproducibility studies
of top-N recommendation found it among the strongest simple methods; on playlists it is
the graph-native cousin of item co-occurrence, and it is a sparse product just as cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from tunegraph.model.data.matrix import Csr
from tunegraph.model.retrievers.neighbours import reach_playlists, walk_start
from tunegraph.model.retrievers.scores import SparseScores

if TYPE_CHECKING:
    from tunegraph.model.retrievers.protocol import Queries


@dataclass(frozen=True)
class Rp3Config:
    # chosen on validation playlists of an MPD-shaped world, not the benchmark's (the
    # guide has the figures): alpha 0.5 beat 1.0 at every beta; beta 0.2 keeps a penalty,
    # though 0 scored a little better alone, since the ranker sees popularity too
    alpha: float = 0.5  # sharpens (>1) or flattens (<1) each transition probability
    beta: float = 0.2  # popularity penalty on the landing track
    playlists: int = 1000  # per query, only the playlists the walk reaches most


class Rp3Beta:
    """Fitted on a playlist x track matrix: both transition matrices and the penalty."""

    def __init__(self, train: Csr, config: Rp3Config | None = None) -> None:
        self.config = config or Rp3Config()
        alpha = self.config.alpha
        x = train.matrix()
        track_degree = np.maximum(train.counts, 1.0)
        playlist_degree = np.maximum(np.diff(train.indptr).astype(np.float32), 1.0)
        # track -> playlist: 1/deg(track); playlist -> track: 1/deg(playlist); each ^alpha
        self.to_playlists = (sp.diags(track_degree**-alpha) @ x.T.tocsr()).astype(np.float32)
        penalty = (track_degree**-self.config.beta).astype(np.float32)
        penalty[0] = 0.0
        # playlist -> track, with the landing track's penalty folded in once, here
        self.to_tracks = (
            (sp.diags(playlist_degree**-alpha) @ x @ sp.diags(penalty)).astype(np.float32).tocsr()
        )

    def walk(self, seeds: list[np.ndarray] | tuple[np.ndarray, ...]) -> sp.csr_matrix:
        """Sparse [Q, T+1]: where the walks from each query's seeds land, penalised."""
        reached = reach_playlists(seeds, self.to_playlists, self.config.playlists)
        return (reached @ self.to_tracks).tocsr()

    def scores(self, queries: Queries) -> SparseScores:
        # the first step is item co-occurrence's when alpha is 0.5: then done once a batch
        alpha, playlists = self.config.alpha, self.config.playlists
        reached = walk_start(queries, self.to_playlists, alpha, playlists)
        return SparseScores((reached @ self.to_tracks).tocsr())
