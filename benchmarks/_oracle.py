"""Oracle ceilings for model_quality: rank tracks by the generator's own probabilities.

Why: a goal like "retrieval >= 3x popularity on Recall@50" is only meaningful if some
ranking can reach it on this world. The generator draws each playlist's tracks i.i.d.
from a genre mixture (focus genre 0.5, the owner's genres 0.4 split evenly, all genres
0.1 split evenly) and, within a genre, by a Zipf weight over a shuffled order. So:

- the *oracle* knows each playlist's true mixture and ranks a track by
  P(track) = weight(genre of track) x Zipf(track | genre): no ranking does better in
  expectation, so its figures are the ceiling;
- the *seed-only oracle* knows the generator's structure and true track genres and Zipf
  weights, but not the playlist's focus or owner genres: it infers them from the seed
  tracks' genres (exact Bayesian posterior under the generator's prior on owner genres
  and focus), the best a model that sees only the seed could hope for;
- the *seed+owner oracle* also counts the owner's other playlists (as training sees
  them) as evidence on the owner's genres: the ceiling for a model that uses the owner.

The truth is recorded while the world is generated, by wrapping two private generator
functions (``_genre_pools`` and ``_pick_focus``); the wrappers only look, so the world is
the one ``generate_world`` builds (``generate_with_truth`` checks its checksum).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from unittest import mock

import numpy as np

from tunegraph.model.baselines import top_k
from tunegraph.model.data import ExportData
from tunegraph.model.metrics import list_length, mean_metrics
from tunegraph.model.split import HeldOut
from tunegraph.simulator import playlists as playlists_mod
from tunegraph.simulator import world as world_mod

# The generator's mixture (tunegraph.simulator.playlists._draw_tracks).
FOCUS_SHARE = playlists_mod._FOCUS_SHARE
OWN_SHARE = playlists_mod._OWN_GENRE_SHARE - playlists_mod._FOCUS_SHARE
ANY_SHARE = 1.0 - playlists_mod._OWN_GENRE_SHARE
FIRST_GENRE_FOCUS = 0.6  # _pick_focus: the owner's first genre, else any of them
MAX_OWNER_GENRES = 3  # User favourites: randint(1, 3) Zipf draws, duplicates dropped


@dataclass(frozen=True)
class GenerativeTruth:
    """What the generator knew and the world does not keep."""

    genre_order: list[str]  # genres in the generator's Zipf order (owner-genre prior)
    genre_prior: np.ndarray  # [G] P(one owner-genre draw = genre), in genre_order
    mixture_genres: list[str]  # genres the 10% "any genre" share is spread over
    track_genre: dict[str, str]  # track id -> its genre (first artist's)
    track_zipf: dict[str, float]  # track id -> P(track | its genre)
    owner: dict[str, str]  # playlist id -> owner id
    own: dict[str, list[str]]  # playlist id -> the owner genres the draw used, in order
    focus: dict[str, str]  # playlist id -> focus genre


def generate_with_truth(config: world_mod.WorldConfig) -> tuple[world_mod.World, GenerativeTruth]:
    """``generate_world(config)`` plus the generative truth, recorded as it is drawn."""
    pools_seen: list[tuple[object, dict[str, tuple[list[str], list[float]]]]] = []
    focus_seen: list[tuple[list[str], str]] = []
    real_pools, real_focus = world_mod._genre_pools, playlists_mod._pick_focus

    def pools(gen, *args):
        out = real_pools(gen, *args)
        pools_seen.append((gen, out))
        return out

    def pick_focus(rng, own):
        focus = real_focus(rng, own)
        focus_seen.append((list(own), focus))
        return focus

    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(world_mod, "_genre_pools", pools))
        stack.enter_context(mock.patch.object(playlists_mod, "_pick_focus", pick_focus))
        world = world_mod.generate_world(config)
    if world.checksum() != world_mod.generate_world(config).checksum():
        raise RuntimeError("recording the generator's draws changed the world")
    ((gen, genre_pools),) = pools_seen
    if len(focus_seen) != len(world.playlists):
        raise RuntimeError("the generator no longer draws one focus per playlist")
    track_genre, track_zipf = {}, {}
    for genre, (ids, cum) in genre_pools.items():
        weights = np.diff(np.concatenate([[0.0], cum]))
        for tid, w in zip(ids, weights / cum[-1], strict=True):
            track_genre[tid], track_zipf[tid] = genre, float(w)
    cum = np.asarray(gen.genre_cum)
    truth = GenerativeTruth(
        genre_order=list(gen.genres),
        genre_prior=np.diff(np.concatenate([[0.0], cum])) / cum[-1],
        mixture_genres=sorted(genre_pools),
        track_genre=track_genre,
        track_zipf=track_zipf,
        owner={pid: p.owner_id for pid, p in world.playlists.items()},
        own={pid: own for pid, (own, _) in zip(world.playlists, focus_seen, strict=True)},
        focus={pid: f for pid, (_, f) in zip(world.playlists, focus_seen, strict=True)},
    )
    return world, truth


def _weights(genres: list[str], own: Sequence[str], focus: str, any_: set[str]) -> np.ndarray:
    """[G] the draw's genre mixture for one playlist, in ``genres`` order."""
    out = np.zeros(len(genres))
    for i, g in enumerate(genres):
        out[i] = (
            FOCUS_SHARE * (g == focus)
            + OWN_SHARE * (g in own) / len(own)
            + ANY_SHARE * (g in any_) / len(any_)
        )
    return out


@dataclass(frozen=True)
class _Hypotheses:
    """Every owner (genre set, first genre) with its prior, and the focus each allows.

    Owners draw 1-3 genres (uniform count) by the Zipf prior, dropping repeats; a
    playlist's focus is the first genre with probability 0.6 + 0.4/n, another with 0.4/n.
    Row h, slot j: focus option j of owner hypothesis h, as a row of ``weights``.
    """

    log_prior: np.ndarray  # [H]
    mixture: np.ndarray  # [H, 3] row of ``weights`` per focus option (0 where unused)
    log_focus: np.ndarray  # [H, 3] log P(focus option | owner), -inf where unused
    weights: np.ndarray  # [M, G] genre mixture per distinct (genre set, focus)

    @classmethod
    def build(cls, truth: GenerativeTruth) -> _Hypotheses:
        genres, prior = truth.genre_order, truth.genre_prior
        any_ = set(truth.mixture_genres)
        owners: dict[tuple[frozenset[str], str], float] = {}
        for count in range(1, MAX_OWNER_GENRES + 1):
            for draw in itertools.product(range(len(genres)), repeat=count):
                own = list(dict.fromkeys(genres[i] for i in draw))
                key = (frozenset(own), own[0])
                p = float(np.prod(prior[list(draw)])) / MAX_OWNER_GENRES
                owners[key] = owners.get(key, 0.0) + p
        rows: dict[tuple[frozenset[str], str], int] = {}
        mixture = np.zeros((len(owners), MAX_OWNER_GENRES), np.int64)
        log_focus = np.full((len(owners), MAX_OWNER_GENRES), -np.inf)
        for h, (own, first) in enumerate(owners):
            for j, focus in enumerate(sorted(own)):
                mixture[h, j] = rows.setdefault((own, focus), len(rows))
                share = (1 - FIRST_GENRE_FOCUS) / len(own) + FIRST_GENRE_FOCUS * (focus == first)
                log_focus[h, j] = np.log(share)
        weights = np.stack([_weights(genres, sorted(own), f, any_) for own, f in rows])
        return cls(np.log(np.array(list(owners.values()))), mixture, log_focus, weights)

    def expected_weights(self, seed_counts: np.ndarray, history: np.ndarray) -> np.ndarray:
        """[G] posterior mean of the playlist's genre mixture.

        ``seed_counts`` [G]: genre counts of the seed; ``history`` [G, P]: genre counts of
        the owner's other playlists (P may be 0), each with its own unknown focus.
        """
        log_w = np.log(self.weights)
        log_owner = self.log_prior.copy()
        if history.shape[1]:
            per_playlist = (log_w @ history)[self.mixture] + self.log_focus[..., None]
            log_owner += _logsumexp(per_playlist, axis=1).sum(axis=1)
        joint = log_owner[:, None] + self.log_focus + (log_w @ seed_counts)[self.mixture]
        post = np.exp(joint - joint.max())
        post /= post.sum()
        return np.einsum("hj,hjg->g", post, self.weights[self.mixture])


def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    top = np.max(x, axis=axis, keepdims=True)
    return np.squeeze(top, axis) + np.log(np.exp(x - top).sum(axis=axis))


@dataclass(frozen=True)
class _TrackView:
    genre: np.ndarray  # [T+1] genre index in truth.genre_order (-1 for padding)
    zipf: np.ndarray  # [T+1] P(track | genre), 0 for padding


def _track_view(truth: GenerativeTruth, data: ExportData) -> _TrackView:
    index = {g: i for i, g in enumerate(truth.genre_order)}
    genre = np.full(data.n_tracks + 1, -1, np.int64)
    zipf = np.zeros(data.n_tracks + 1)
    for i, tid in enumerate(data.tracks.ids, start=1):
        genre[i], zipf[i] = index[truth.track_genre[tid]], truth.track_zipf[tid]
    return _TrackView(genre, zipf)


def _score(view: _TrackView, genre_weights: np.ndarray) -> np.ndarray:
    scores = np.where(view.genre >= 0, genre_weights[view.genre] * view.zipf, -np.inf)
    return scores


def oracle_metrics(
    truth: GenerativeTruth, data: ExportData, held: HeldOut, train_tracks: Sequence[np.ndarray]
) -> dict[str, dict[str, float]]:
    """Oracle rows on ``held`` (seeds excluded), best possible first.

    ``oracle``: the true mixture. ``seed+owner oracle``: mixture inferred from the seed
    and the genres of the owner's other playlists as training sees them
    (``train_tracks``, the split's training view). ``seed-only oracle``: from the seed.
    """
    view = _track_view(truth, data)
    genres, any_ = truth.genre_order, set(truth.mixture_genres)
    k = list_length(held.hidden, data.n_tracks)
    hyp = _Hypotheses.build(truth)
    owner_rows: dict[str, list[int]] = {}
    for row, pid in enumerate(data.playlist_ids):
        owner_rows.setdefault(truth.owner[pid], []).append(row)
    no_history = np.zeros((len(genres), 0))
    ranked: dict[str, list[np.ndarray]] = {
        "oracle": [],
        "seed+owner oracle": [],
        "seed-only oracle": [],
    }
    for row, seed in zip(held.rows, held.seeds, strict=True):
        pid = data.playlist_ids[row]
        true_w = _weights(genres, truth.own[pid], truth.focus[pid], any_)
        ranked["oracle"].append(top_k(_score(view, true_w), seed, k))
        counts = np.bincount(view.genre[seed], minlength=len(genres))
        others = [r for r in owner_rows[truth.owner[pid]] if r != row]
        history = np.zeros((len(genres), len(others)))
        for j, other in enumerate(others):
            history[:, j] = np.bincount(view.genre[train_tracks[other]], minlength=len(genres))
        for name, hist in (("seed+owner oracle", history), ("seed-only oracle", no_history)):
            ranked[name].append(top_k(_score(view, hyp.expected_weights(counts, hist)), seed, k))
    return {name: mean_metrics(lists, held.hidden) for name, lists in ranked.items()}
