"""Score the pipeline and the field's baselines on the same held-out playlists."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tunegraph.model.als import Als
from tunegraph.model.baselines import Csr, popularity_rankings, top_k_rows
from tunegraph.model.ease import Ease
from tunegraph.model.metrics import list_length, mean_metrics
from tunegraph.model.neighbours import cooccurrence_rankings
from tunegraph.model.recommender import Recommender
from tunegraph.model.split import HeldOut

RETRIEVAL = "two-tower"
PIPELINE = "tunegraph"
POPULARITY = "popularity"
COOCCURRENCE = "co-occurrence"
ALS = "ALS"
EASE = "EASE"
BASELINES: tuple[str, ...] = (POPULARITY, COOCCURRENCE, EASE, ALS)


def evaluate_heldout(
    recommender: Recommender | None,
    held: HeldOut,
    query_index: np.ndarray,
    train: Csr,
    n_tracks: int,
    baselines: bool = True,
    names: Sequence[str] | None = None,
) -> dict[str, dict[str, float]]:
    """{name: metrics} for the model (two-tower alone, and the whole pipeline if it has a
    ranker) and the baselines, all on ``held``. ``query_index`` holds one entry per
    held-out playlist (used by the id tower only); ``names`` their playlist names."""
    k = list_length(held.hidden, n_tracks)
    rows: dict[str, dict[str, float]] = {}
    if recommender is not None:
        retrieved, _ = recommender.rank(query_index, held.seeds, k, use_ranker=False)
        rows[RETRIEVAL] = mean_metrics(list(retrieved), held.hidden)
        if recommender.ranker is not None:
            ranked, _ = recommender.rank(query_index, held.seeds, k, names=names)
            rows[PIPELINE] = mean_metrics(list(ranked), held.hidden)
    if baselines:
        rows.update(baseline_rows(held, train, k, recommender.als if recommender else None))
    return rows


def baseline_rows(
    held: HeldOut, train: Csr, k: int, als: Als | None = None
) -> dict[str, dict[str, float]]:
    """Popularity, co-occurrence, EASE and ALS on ``held`` (``als``: one already fitted on
    ``train`` with the default settings, to save fitting it again)."""
    als = als or Als.fit(train)
    lists = {
        POPULARITY: popularity_rankings(train, held.seeds, k),
        COOCCURRENCE: cooccurrence_rankings(train, held.seeds, k),
        EASE: top_k_rows(Ease(train).scores, held.seeds, k, fallback=train.counts),
        ALS: top_k_rows(als.scores, held.seeds, k, fallback=train.counts),
    }
    return {name: mean_metrics(ranked, held.hidden) for name, ranked in lists.items()}
