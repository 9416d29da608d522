"""Split by playlist, RecSys Challenge 2018 style: held-out playlists show a seed, hide the rest.

Rows are never split at random: a held-out playlist contributes only its first
``seed`` tracks to training (so the id tower has seen the query), and its hidden tail is
what every model, baseline included, is scored on. Validation and test playlists are
disjoint: tuning and the ranker's training use validation, reported figures use test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tunegraph.model.errors import DataError

HALF = 0  # a seed size of 0 means "the first half of the playlist"


@dataclass(frozen=True)
class SplitSettings:
    """How many playlists to hold out and what they show. Seeded, so reruns agree."""

    test_fraction: float = 0.1
    val_fraction: float = 0.1
    # at most this many each: 10,000 is the RecSys 2018 challenge set's size; beyond it the
    # figures barely move while scoring and the ranker's training grow with the count
    max_test: int = 10_000
    max_val: int = 10_000
    seed_sizes: tuple[int, ...] = (5, 10, 25, HALF)
    min_tracks: int = 4  # shorter playlists stay in training only
    seed: int = 42


@dataclass(frozen=True)
class HeldOut:
    """Held-out playlists: their row in ExportData, the visible seed, the hidden rest."""

    rows: np.ndarray
    seeds: list[np.ndarray]
    hidden: list[np.ndarray]

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class Split:
    """What training may see per playlist row, plus the validation and test hold-outs."""

    train_tracks: list[np.ndarray]  # full playlist, or only the seed for held-out rows
    val: HeldOut
    test: HeldOut
    settings: SplitSettings = field(default_factory=SplitSettings)

    def train_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(playlist row, track index) for every training interaction."""
        lengths = np.array([len(t) for t in self.train_tracks], np.int64)
        rows = np.repeat(np.arange(len(self.train_tracks), dtype=np.int32), lengths)
        tracks = np.concatenate(self.train_tracks).astype(np.int32)
        return rows, tracks


def _seed_length(n: int, options: tuple[int, ...], rng: np.random.Generator) -> int:
    fitting = [max(1, n // 2) if s == HALF else s for s in options if (s == HALF or s < n)]
    return int(rng.choice(fitting))


def split_playlists(playlist_tracks: list[np.ndarray], settings: SplitSettings) -> Split:
    """Hold out val/test playlists with at least ``min_tracks`` tracks; the rest trains."""
    rng = np.random.default_rng(settings.seed)
    eligible = np.array(
        [i for i, t in enumerate(playlist_tracks) if len(t) >= settings.min_tracks], np.int64
    )
    n = len(playlist_tracks)
    n_test = min(settings.max_test, max(1, round(settings.test_fraction * n)))
    n_val = max(1, round(settings.val_fraction * n)) if settings.val_fraction > 0 else 0
    n_val = min(settings.max_val, n_val)
    if len(eligible) < n_test + n_val + 1 or n - n_test - n_val < 2:
        raise DataError(
            f"too little data to split: {n} playlists, {len(eligible)} with at least"
            f" {settings.min_tracks} tracks; need {n_test + n_val + 1} such playlists"
        )
    chosen = rng.permutation(eligible)[: n_test + n_val]
    test_rows, val_rows = np.sort(chosen[:n_test]), np.sort(chosen[n_test:])
    train_tracks = list(playlist_tracks)

    def hold(rows: np.ndarray) -> HeldOut:
        seeds, hidden = [], []
        for row in rows:
            tracks = playlist_tracks[row]
            k = _seed_length(len(tracks), settings.seed_sizes, rng)
            seeds.append(tracks[:k])
            hidden.append(tracks[k:])
            train_tracks[row] = tracks[:k]
        return HeldOut(rows.astype(np.int32), seeds, hidden)

    test, val = hold(test_rows), hold(val_rows)
    return Split(train_tracks, val, test, settings)
