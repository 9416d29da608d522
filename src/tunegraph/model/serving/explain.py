"""Explanations: why the pipeline recommends a track, in facts the graph can show.

A ranker score means nothing to a person; "proposed by item co-occurrence (#2) and ALS
(#14), shares 12 playlists with your seed track X, by the same artist as Y, held by 4
playlists called like yours" does, and each count comes with the Cypher that lists
those playlists in Neo4j. Counts are over every playlist the model knows (the graph it
was exported from), so the query and the explanation agree.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tunegraph.graphstore.explain_queries import EXPLAIN_QUERY, explain_params
from tunegraph.model.pipeline.artifacts import LoadedModel
from tunegraph.model.retrievers.protocol import Queries
from tunegraph.model.serving.answers import Because, SharedSeed
from tunegraph.titles import normalize_title

SHOWN_SEEDS = 5  # seed tracks named per reason: the strongest few say enough


class Explainer:
    """Built once per loaded model: each track's playlists, playlists by title, credits."""

    def __init__(self, loaded: LoadedModel) -> None:
        self.loaded = loaded
        # the served retrievers are fitted on every playlist it knows (loaded.playlists): their
        # playlist x track matrix and credits serve here too rather than a second copy
        retrievers = loaded.recommender.retrievers()
        self.matrix, self.by_track = retrievers.neighbours.x, retrievers.neighbours.xt
        self.credits = retrievers.credits
        self.track_ids = loaded.tracks.ids
        self.track_names = loaded.tracks.names
        self.albums = loaded.tracks.album_index
        by_title: dict[str, list[int]] = {}
        for row, name in enumerate(loaded.playlist_names):
            title = normalize_title(name)
            if title:
                by_title.setdefault(title, []).append(row)
        self.by_title = {t: np.asarray(rows, np.int64) for t, rows in by_title.items()}

    def explain(
        self, seed: np.ndarray, name: str, query_index: int, tracks: Sequence[int] | np.ndarray
    ) -> list[Because]:
        """One explanation per track index (1-based into the model's tracks)."""
        seed = np.fromiter(dict.fromkeys(int(t) for t in seed if t > 0), np.int64, count=-1)
        queries = Queries([seed], [name], np.array([query_index], np.int32))
        _, proposed = self.loaded.recommender.retrievers().proposed(queries)
        title = normalize_title(name)
        return [self._because(int(t), seed, title, proposed) for t in tracks]

    def _because(
        self, track: int, seed: np.ndarray, title: str, proposed: dict[str, np.ndarray]
    ) -> Because:
        ranks = {}
        for source, top in proposed.items():
            at = np.flatnonzero(top[0] == track)
            if len(at):
                ranks[source] = int(at[0]) + 1
        holders = self._holders(track)
        shared = self._shared(holders, seed)
        same_title = int(np.isin(self.by_title.get(title, []), holders).sum()) if title else 0
        ids = [self.track_ids[t - 1] for t, _ in shared]
        params = explain_params(self.track_ids[track - 1], ids, title.split())
        return Because(
            retrievers=ranks,
            shared_seeds=tuple(
                SharedSeed(self.track_ids[t - 1], self.track_names[t - 1], n) for t, n in shared
            ),
            same_artist=self._ids(self._same_artist(track, seed)),
            same_album=self._ids(
                seed[(self.albums[seed] == self.albums[track]) & (self.albums[track] > 0)]
            ),
            same_title=same_title,
            cypher=EXPLAIN_QUERY,
            params=params,
        )

    def _holders(self, track: int) -> np.ndarray:
        """The playlists (rows) holding the track, each once."""
        return np.unique(self.by_track[track].indices)

    def _shared(self, holders: np.ndarray, seed: np.ndarray) -> list[tuple[int, int]]:
        """The seed tracks most often in the same playlist as the track: (track, playlists),
        most first, ties in seed order; at most SHOWN_SEEDS, none that shares nothing."""
        together = self.matrix[holders][:, seed] > 0  # a track twice in one list: once
        counts = np.asarray(together.sum(axis=0)).ravel()
        order = np.argsort(-counts, kind="stable")[:SHOWN_SEEDS]
        return [(int(seed[i]), int(counts[i])) for i in order if counts[i] > 0]

    def _same_artist(self, track: int, seed: np.ndarray) -> np.ndarray:
        mine = self.credits[track]
        if mine.nnz == 0 or len(seed) == 0:
            return seed[:0]
        overlap = np.asarray((self.credits[seed] @ mine.T).todense()).ravel()
        return seed[overlap > 0]

    def _ids(self, tracks: np.ndarray) -> tuple[str, ...]:
        return tuple(self.track_ids[int(t) - 1] for t in tracks[:SHOWN_SEEDS])
