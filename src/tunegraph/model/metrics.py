"""Ranking metrics over held-out playlists: Recall@10/50/100, NDCG@100, R-precision.

Relevance is binary (a hidden track is relevant). R-precision is track-level (the
RecSys 2018 variant also credits artist matches; we do not). Every model and baseline
is scored by the same function, on the same hidden tracks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

METRIC_NAMES: tuple[str, ...] = ("recall@10", "recall@50", "recall@100", "ndcg@100", "r_precision")
RECALL_KS: tuple[int, ...] = (10, 50, 100)
NDCG_K = 100


def ranking_metrics(ranked: Sequence[int], hidden: Sequence[int]) -> dict[str, float]:
    """Metrics of one ranked list (best first) against one set of hidden tracks."""
    truth = set(int(t) for t in hidden)
    if not truth:
        raise ValueError("a held-out playlist needs at least one hidden track")
    hits = np.array([int(t) in truth for t in ranked], dtype=bool)
    out = {f"recall@{k}": float(hits[:k].sum()) / len(truth) for k in RECALL_KS}
    gains = hits[:NDCG_K] / np.log2(np.arange(2, min(NDCG_K, len(hits)) + 2))
    ideal = (1.0 / np.log2(np.arange(2, min(NDCG_K, len(truth)) + 2))).sum()
    out["ndcg@100"] = float(gains.sum() / ideal)
    out["r_precision"] = float(hits[: len(truth)].sum()) / len(truth)
    return out


def mean_metrics(
    rankings: Sequence[Sequence[int]], hidden: Sequence[Sequence[int]]
) -> dict[str, float]:
    """Mean of ``ranking_metrics`` over playlists (each playlist weighs the same)."""
    if len(rankings) != len(hidden) or not rankings:
        raise ValueError("need one ranking per held-out playlist, and at least one")
    rows = [ranking_metrics(r, h) for r, h in zip(rankings, hidden, strict=True)]
    return {name: float(np.mean([row[name] for row in rows])) for name in METRIC_NAMES}


def list_length(hidden: Sequence[Sequence[int]], n_tracks: int) -> int:
    """How long ranked lists must be: 100, or the longest hidden part for R-precision."""
    return int(min(n_tracks, max(NDCG_K, *(len(h) for h in hidden))))
