"""The trained pipeline in memory: retrieve over all candidates, then rerank the top-100.

Training, evaluation and ``recommend`` all go through this one class, so the figures
reported are those of the code that serves recommendations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tunegraph.model.baselines import Csr
from tunegraph.model.data import TrackTable
from tunegraph.model.errors import UnknownIdError
from tunegraph.model.ranking import RankingConfig, RankingModel, ranking_features, rerank
from tunegraph.model.retrieval import (
    RetrievalConfig,
    RetrievalModel,
    query_embeddings,
    query_inputs,
    top_k_scored,
)


@dataclass
class Recommender:
    """Retrieval model + candidate embeddings + optional ranker + what ranking features need."""

    config: RetrievalConfig
    model: RetrievalModel
    candidates: np.ndarray  # [T+1, d]
    train: Csr
    tracks: TrackTable
    ranking_config: RankingConfig | None = None
    ranker: RankingModel | None = None

    def retrieve(
        self, query_index: Sequence[int], seeds: Sequence[np.ndarray], k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (indices, scores) by the retrieval model, seeds excluded."""
        inputs = query_inputs(self.config, query_index, seeds)
        queries = query_embeddings(self.model, inputs)
        return top_k_scored(queries, self.candidates, seeds, k)

    def features(
        self, candidates: np.ndarray, scores: np.ndarray, seeds: Sequence[np.ndarray]
    ) -> np.ndarray:
        t = self.tracks
        return ranking_features(
            candidates, scores, seeds, self.train, t.artist_index, t.popularity, t.popularity_mask
        )

    def rank(
        self,
        query_index: Sequence[int],
        seeds: Sequence[np.ndarray],
        k: int,
        use_ranker: bool = True,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Final lists [Q, k]: the ranker reorders the retrieved top-N, the rest keep order.

        Returns (indices, retrieval scores of those indices).
        """
        n_rank = self.ranking_config.candidates if self.ranking_config else 0
        indices, scores = self.retrieve(query_index, seeds, max(k, n_rank))
        if not (use_ranker and self.ranker is not None and len(indices)):
            return indices[:, :k], scores[:, :k]
        head, head_scores = indices[:, :n_rank], scores[:, :n_rank]
        x = self.features(head, head_scores, seeds)
        reordered = rerank(self.ranker, head, x)
        lookup = [dict(zip(h, s, strict=True)) for h, s in zip(head, head_scores, strict=True)]
        new_scores = np.array(
            [[lookup[i][t] for t in row] for i, row in enumerate(reordered)], np.float32
        )
        out = np.concatenate([reordered, indices[:, n_rank:]], axis=1)[:, :k]
        out_scores = np.concatenate([new_scores, scores[:, n_rank:]], axis=1)[:, :k]
        return out, out_scores

    def recommend_lists(
        self, seeds: Sequence[np.ndarray], names: Sequence[str], k: int
    ) -> np.ndarray:
        """[Q, k] int32 track indices (1-based into self.tracks.ids; 0 = nothing more), best
        first, seeds excluded: what batch recommendation asks of the model, one row per list.

        ``names`` are the playlists' titles (unused by this model). An empty seed gets a
        row of zeros: with no tracks the pooled tower only returns its bias, a list no
        better than the popularity top-up the caller adds.
        """
        if self.config.query_tower == "id":
            raise UnknownIdError(
                "this model's id query tower knows only training playlists as ids; "
                "retrain with --query-tower pooled to recommend for lists of tracks"
            )
        out = np.zeros((len(seeds), k), np.int32)
        rows = [i for i, s in enumerate(seeds) if len(s)]
        if rows:
            indices, _ = self.rank([0] * len(rows), [seeds[i] for i in rows], k)
            width = min(k, indices.shape[1])
            out[rows, :width] = indices[:, :width]
        return out
