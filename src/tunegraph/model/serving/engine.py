"""The Python API: a model loaded once, answering one request or many.

``tunegraph.load_model(path)`` returns a ``Model``. Everything a request needs (track and
playlist look-ups, the retrievers' state, TensorFlow's traced functions) is built at
load, so one ``recommend`` costs one query. ``rank`` answers several resolved queries in
one model call: the server's batching and ``recommend_many`` go through it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from tunegraph.model.errors import ModelError, NothingLeftError, RequestError, UnknownIdError
from tunegraph.model.pipeline.artifacts import LoadedModel, load_model
from tunegraph.model.serving.answers import MAX_K, Because, Recommendation, Request
from tunegraph.model.serving.explain import Explainer
from tunegraph.model.serving.lookups import Lookups


@dataclass(frozen=True)
class Query:
    """A request resolved against the model: seed track indices, query index, title."""

    seed: np.ndarray
    query_index: int
    name: str


def check_k(k: int) -> int:
    """``k`` itself, or RequestError when it is outside 1..MAX_K."""
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise RequestError(f"k must be a whole number from 1 to {MAX_K}, not {k!r}")
    return k


class Model:
    """A loaded model directory: ``recommend`` one request, ``recommend_many`` several,
    ``explain`` why a track would be recommended."""

    def __init__(self, loaded: LoadedModel, warm: bool = True) -> None:
        self.loaded = loaded
        self.lookups = Lookups(loaded)
        self.path = Path(loaded.path)
        self.checksum = str(loaded.config.get("data_checksum", ""))
        self.loaded_at = time.time()
        if warm:
            self._warm()

    @classmethod
    def load(cls, path: str | Path) -> Model:
        return cls(load_model(path))

    def recommend(
        self,
        playlist: str | None = None,
        tracks: Sequence[str] | None = None,
        name: str | None = None,
        k: int = 20,
        explain: bool = False,
    ) -> list[Recommendation]:
        """Top-k new tracks for a known playlist, or for tracks and/or a title; with
        ``explain``, each carries its ``because``.

        Tracks already in the playlist or list are never recommended, so fewer than k
        come back when fewer are left; NothingLeftError when none is.
        """
        check_k(k)
        return self.rank([self.query(playlist, tracks, name)], k, explain)[0]

    def recommend_many(
        self,
        requests: Iterable[Request | Mapping[str, Any]],
        k: int = 20,
        explain: bool = False,
    ) -> list[list[Recommendation]]:
        """One list per request, in order, scored together in one model call."""
        check_k(k)
        queries = [self.query_of(as_request(r)) for r in requests]
        return self.rank(queries, k, explain)

    def explain(
        self,
        track: str,
        playlist: str | None = None,
        tracks: Sequence[str] | None = None,
        name: str | None = None,
    ) -> Because:
        """Why ``track`` would be recommended for the playlist (or tracks and/or title),
        whether or not it makes the top k: an empty ``retrievers`` says no source
        proposed it."""
        query = self.query(playlist, tracks, name)
        [index] = self.lookups.tracks([track])
        if index == 0:
            raise UnknownIdError(f"unknown track id: {track}")
        return self.explainer.explain(query.seed, query.name, query.query_index, [index])[0]

    @cached_property
    def explainer(self) -> Explainer:
        """Built on the first explanation asked for, then kept (models that never explain
        do not pay for it)."""
        return Explainer(self.loaded)

    def query_of(self, request: Request) -> Query:
        return self.query(request.playlist, request.tracks, request.name)

    def query(
        self,
        playlist: str | None = None,
        tracks: Sequence[str] | None = None,
        name: str | None = None,
    ) -> Query:
        """Resolve ids; UnknownIdError or NothingLeftError names what is wrong."""
        loaded = self.loaded
        if (playlist is None) == (tracks is None and name is None):
            raise UnknownIdError("give either a playlist id, or track ids and/or a title")
        if playlist is not None:
            row = self.lookups.playlist(playlist)
            seed = loaded.playlists.row(row)
            query = Query(seed, int(loaded.playlist_query[row]), loaded.playlist_names[row])
            given = "playlist"
        else:
            ids = list(tracks or ())
            index = self.lookups.tracks(ids)
            unknown = [t for t, i in zip(ids, index, strict=True) if i == 0]
            if unknown or (not ids and not name):
                shown = ", ".join(unknown[:3]) or "(none given)"
                raise UnknownIdError(f"unknown track id(s): {shown}")
            if loaded.recommender.config.query_tower == "id":
                raise UnknownIdError(
                    "this model's id query tower knows only training playlists; "
                    "retrain with --query-tower pooled to recommend for a track list"
                )
            seed = np.fromiter(dict.fromkeys(index), np.int32, count=-1)
            query = Query(seed, 0, name or "")
            given = "list"
        known = len(loaded.tracks.ids)
        if len(np.unique(seed[seed > 0])) >= known:
            raise NothingLeftError(
                f"nothing left to recommend: the {given} already holds all {known:,} tracks "
                "the model knows"
            )
        return query

    def rank(
        self, queries: Sequence[Query], k: int, explain: bool | Sequence[bool] = False
    ) -> list[list[Recommendation]]:
        """Each query's top-k in one model call (best first, seeds excluded); ``explain``
        for all queries or per query."""
        if not queries:
            return []
        indices, scores = self.loaded.recommender.rank(
            np.array([q.query_index for q in queries], np.int32),
            [q.seed for q in queries],
            k,
            names=[q.name for q in queries],
        )
        wanted = [explain] * len(queries) if isinstance(explain, bool) else list(explain)
        return [
            self._listed(query, row_ix[row_ix > 0], row_sc[row_ix > 0], want)
            for query, row_ix, row_sc, want in zip(queries, indices, scores, wanted, strict=True)
        ]

    def _listed(
        self, query: Query, indices: np.ndarray, scores: np.ndarray, explain: bool
    ) -> list[Recommendation]:
        t = self.loaded.tracks
        because: Sequence[Because | None] = [None] * len(indices)
        if explain and len(indices):
            because = self.explainer.explain(query.seed, query.name, query.query_index, indices)
        return [
            Recommendation(
                rank + 1,
                t.ids[i - 1],
                t.names[i - 1],
                tuple(t.artist_names[i - 1]),
                float(s),
                why,
            )
            for rank, (i, s, why) in enumerate(zip(indices, scores, because, strict=True))
        ]

    def _warm(self) -> None:
        """One query at load: the retrievers' state is built and TensorFlow traces its
        functions now, not in the first caller's time."""
        if not self.loaded.playlist_ids:
            return
        with suppress(ModelError):  # a playlist holding every track: nothing to warm with
            self.recommend(playlist=self.loaded.playlist_ids[0], k=1)


def as_request(value: Request | Mapping[str, Any]) -> Request:
    """A ``Request`` from itself or from a mapping with playlist / tracks / name."""
    if isinstance(value, Request):
        return value
    if not isinstance(value, Mapping):
        raise RequestError("a request is a Request or a mapping of playlist, tracks, name")
    extra = set(value) - {"playlist", "tracks", "name"}
    if extra:
        raise RequestError(f"unknown request field(s): {', '.join(sorted(extra))}")
    tracks = value.get("tracks")
    if tracks is not None and (
        isinstance(tracks, str) or not all(isinstance(t, str) for t in tracks)
    ):
        raise RequestError("tracks must be a list of track ids")
    playlist, name = value.get("playlist"), value.get("name")
    for label, text in (("playlist", playlist), ("name", name)):
        if text is not None and not isinstance(text, str):
            raise RequestError(f"{label} must be a string")
    return Request(playlist, tuple(tracks) if tracks is not None else None, name)
