"""Score the pipeline and the baselines on the same held-out playlists."""

from __future__ import annotations

import numpy as np

from tunegraph.model.baselines import Csr, cooccurrence_rankings, popularity_rankings
from tunegraph.model.metrics import list_length, mean_metrics
from tunegraph.model.recommender import Recommender
from tunegraph.model.split import HeldOut

RETRIEVAL = "retrieval"
PIPELINE = "retrieval+ranking"
POPULARITY = "popularity"
COOCCURRENCE = "co-occurrence"


def evaluate_heldout(
    recommender: Recommender | None,
    held: HeldOut,
    query_index: np.ndarray,
    train: Csr,
    n_tracks: int,
    baselines: bool = True,
) -> dict[str, dict[str, float]]:
    """{name: metrics} for the model (retrieval, and the pipeline if it has a ranker) and
    the popularity and co-occurrence baselines. ``query_index`` holds one entry per
    held-out playlist (its query id's index; used by the id tower only)."""
    k = list_length(held.hidden, n_tracks)
    rows: dict[str, dict[str, float]] = {}
    if recommender is not None:
        retrieved, _ = recommender.rank(query_index, held.seeds, k, use_ranker=False)
        rows[RETRIEVAL] = mean_metrics(list(retrieved), held.hidden)
        if recommender.ranker is not None:
            ranked, _ = recommender.rank(query_index, held.seeds, k, use_ranker=True)
            rows[PIPELINE] = mean_metrics(list(ranked), held.hidden)
    if baselines:
        rows[POPULARITY] = mean_metrics(popularity_rankings(train, held.seeds, k), held.hidden)
        rows[COOCCURRENCE] = mean_metrics(cooccurrence_rankings(train, held.seeds, k), held.hidden)
    return rows
