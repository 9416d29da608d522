"""Ranking metrics over held-out playlists: the RecSys Challenge 2018 set and the classic ones.

The challenge's metrics are computed over lists of 500 recommendations:

- R-precision: hits in the first |hidden| positions / |hidden| (track level; the
  challenge also credits artist matches, we do not);
- NDCG in the challenge's form: DCG = rel_1 + sum_{i>=2} rel_i / log2(i), divided by the
  ideal DCG of min(|hidden|, 500) hits;
- Clicks: floor((rank of the first hit - 1) / 10), 51 when no hit is in the list
  (lower is better);
- Recall@500.

Beside them Recall@10/50/100 and NDCG@100 (the textbook form, rel_i / log2(i + 1)).
Relevance is binary (a hidden track is relevant). Every model and baseline is scored by
the same function, on the same hidden tracks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# a list of track indices: a Python sequence or a numpy array of them
Ids = Sequence[int] | np.ndarray

CHALLENGE_K = 500
NO_CLICK = 51.0
METRIC_NAMES: tuple[str, ...] = (
    "r_precision",
    "ndcg",
    "clicks",
    "recall@500",
    "recall@10",
    "recall@50",
    "recall@100",
    "ndcg@100",
)
CHALLENGE_METRICS: tuple[str, ...] = METRIC_NAMES[:4]
LOWER_IS_BETTER: frozenset[str] = frozenset({"clicks"})
RECALL_KS: tuple[int, ...] = (10, 50, 100, CHALLENGE_K)
NDCG_K = 100


def _challenge_discounts(n: int) -> np.ndarray:
    """1, 1, 1/log2(3), 1/log2(4), ...: position 1 is undiscounted, position i by log2(i)."""
    positions = np.arange(1, n + 1, dtype=np.float64)
    return 1.0 / np.log2(np.maximum(positions, 2.0))


def ranking_metrics(ranked: Ids, hidden: Ids) -> dict[str, float]:
    """Metrics of one ranked list (best first) against one set of hidden tracks."""
    truth = {int(t) for t in hidden}
    if not truth:
        raise ValueError("a held-out playlist needs at least one hidden track")
    hits = np.fromiter((int(t) in truth for t in ranked), dtype=bool, count=len(ranked))
    out = {f"recall@{k}": float(hits[:k].sum()) / len(truth) for k in RECALL_KS}
    out["r_precision"] = float(hits[: len(truth)].sum()) / len(truth)
    top = hits[:CHALLENGE_K]
    dcg = float((top * _challenge_discounts(len(top))).sum())
    out["ndcg"] = dcg / float(_challenge_discounts(min(len(truth), CHALLENGE_K)).sum())
    first = np.flatnonzero(top)
    out["clicks"] = float(first[0] // 10) if len(first) else NO_CLICK
    gains = hits[:NDCG_K] / np.log2(np.arange(2, min(NDCG_K, len(hits)) + 2))
    ideal = (1.0 / np.log2(np.arange(2, min(NDCG_K, len(truth)) + 2))).sum()
    out["ndcg@100"] = float(gains.sum() / ideal)
    return out


def playlist_metrics(rankings: Sequence[Ids], hidden: Sequence[Ids]) -> list[dict[str, float]]:
    """``ranking_metrics`` of each held-out playlist, in order."""
    if len(rankings) != len(hidden) or not rankings:
        raise ValueError("need one ranking per held-out playlist, and at least one")
    return [ranking_metrics(r, h) for r, h in zip(rankings, hidden, strict=True)]


def average_metrics(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    """Mean of per-playlist metrics (each playlist weighs the same)."""
    return {name: float(np.mean([row[name] for row in rows])) for name in METRIC_NAMES}


def mean_metrics(rankings: Sequence[Ids], hidden: Sequence[Ids]) -> dict[str, float]:
    """Mean of ``ranking_metrics`` over playlists."""
    return average_metrics(playlist_metrics(rankings, hidden))


def list_length(hidden: Sequence[Ids], n_tracks: int) -> int:
    """How long ranked lists must be: 500, or the longest hidden part for R-precision."""
    return int(min(n_tracks, max(CHALLENGE_K, *(len(h) for h in hidden))))
