"""Score the pipeline and the field's baselines on the same held-out playlists, overall and
per challenge category."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tunegraph.model.data.matrix import Csr, popularity_rankings, top_k_rows
from tunegraph.model.data.split import CATEGORY_NAMES, HeldOut
from tunegraph.model.metrics import Ids, average_metrics, list_length, playlist_metrics
from tunegraph.model.pipeline.recommender import Recommender
from tunegraph.model.retrievers.als import Als
from tunegraph.model.retrievers.ease import Ease
from tunegraph.model.retrievers.neighbours import cooccurrence_rankings

RETRIEVAL = "two-tower"
PIPELINE = "tunegraph"
POPULARITY = "popularity"
COOCCURRENCE = "co-occurrence"
ALS = "ALS"
EASE = "EASE"
BASELINES: tuple[str, ...] = (POPULARITY, COOCCURRENCE, EASE, ALS)

Rows = dict[str, dict[str, float]]  # {model or baseline: {metric: value}}


@dataclass
class HeldOutScores:
    """Every method's figures on one hold-out: over all its playlists, and per category."""

    rows: Rows
    # {category: {method: {metric: value}}}, categories in CATEGORY_NAMES order, those present
    categories: dict[str, Rows]
    counts: dict[str, int]  # held-out playlists per category


def score_lists(lists: Mapping[str, Sequence[Ids]], held: HeldOut) -> HeldOutScores:
    """Each method's ranked lists (one per held-out playlist) scored against the hidden
    tracks: means over all playlists, and over each category's."""
    per = {method: playlist_metrics(ranked, held.hidden) for method, ranked in lists.items()}
    positions = {
        c: [i for i, x in enumerate(held.category) if x == c]
        for c in CATEGORY_NAMES
        if c in held.category
    }
    return HeldOutScores(
        rows={method: average_metrics(rows) for method, rows in per.items()},
        categories={
            c: {method: average_metrics([rows[i] for i in at]) for method, rows in per.items()}
            for c, at in positions.items()
        },
        counts={c: len(at) for c, at in positions.items()},
    )


def evaluate_heldout(
    recommender: Recommender | None,
    held: HeldOut,
    query_index: np.ndarray,
    train: Csr,
    n_tracks: int,
    baselines: bool = True,
    names: Sequence[str] | None = None,
) -> HeldOutScores:
    """The model (two-tower alone, and the whole pipeline if it has a ranker) and the
    baselines, all on ``held``. ``query_index`` holds one entry per held-out playlist
    (used by the id tower only); ``names`` every playlist's title by row, of which the
    pipeline sees a held-out playlist's only where its category shows it."""
    k = list_length(held.hidden, n_tracks)
    lists: dict[str, Sequence[Ids]] = {}
    titles = held.titles(names) if names is not None else [""] * len(held)
    if recommender is not None:
        retrieved, _ = recommender.rank(query_index, held.seeds, k, use_ranker=False)
        lists[RETRIEVAL] = list(retrieved)
        if recommender.ranker is not None:
            ranked, _ = recommender.rank(query_index, held.seeds, k, names=titles)
            lists[PIPELINE] = list(ranked)
    if baselines:
        lists.update(baseline_lists(held, train, k, recommender.als if recommender else None))
    return score_lists(lists, held)


def baseline_lists(
    held: HeldOut, train: Csr, k: int, als: Als | None = None
) -> dict[str, list[np.ndarray]]:
    """Popularity, co-occurrence, EASE and ALS lists for ``held`` (``als``: one already
    fitted on ``train`` with the default settings, to save fitting it again)."""
    als = als or Als.fit(train)
    return {
        POPULARITY: popularity_rankings(train, held.seeds, k),
        COOCCURRENCE: cooccurrence_rankings(train, held.seeds, k),
        EASE: top_k_rows(Ease(train).scores, held.seeds, k, fallback=train.counts),
        ALS: top_k_rows(als.scores, held.seeds, k, fallback=train.counts),
    }


def baseline_rows(held: HeldOut, train: Csr, k: int, als: Als | None = None) -> Rows:
    """The baselines' figures over all of ``held``."""
    return score_lists(baseline_lists(held, train, k, als), held).rows
