"""Split by playlist, RecSys Challenge 2018 style: held-out playlists show a seed, hide the rest.

Rows are never split at random: a held-out playlist contributes only its seed tracks to
training (so the id tower has seen the query), and its hidden part is what every model,
baseline included, is scored on. Validation and test playlists are disjoint: tuning and
the ranker's training use validation, reported figures use test.

Held-out playlists follow the challenge's protocol: each is given one of its ten
categories (``CATEGORIES``: title only, title + first 1, first 5 with and without the
title, ...), which says how many tracks it shows, where from, and whether its title is
shown. A category needs at least ``MIN_HIDDEN`` hidden tracks; among the categories a
playlist is long enough for, counts come out as even as the lengths allow. Validation
lists get categories too: the ranker learns from them and must meet the same cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tunegraph.model.errors import DataError

MIN_HIDDEN = 5  # the challenge hides at least 5 tracks of every playlist


@dataclass(frozen=True)
class Category:
    """One of the challenge's seed categories."""

    name: str
    seeds: int  # tracks shown
    title: bool  # whether the playlist's title is shown
    random: bool = False  # shown tracks at random positions (kept in order), not the first

    def fits(self, length: int) -> bool:
        return length >= self.seeds + MIN_HIDDEN


CATEGORIES: tuple[Category, ...] = (
    Category("title only", 0, True),
    Category("title + first 1", 1, True),
    Category("title + first 5", 5, True),
    Category("first 5", 5, False),
    Category("title + first 10", 10, True),
    Category("first 10", 10, False),
    Category("title + first 25", 25, True),
    Category("title + random 25", 25, True, random=True),
    Category("title + first 100", 100, True),
    Category("title + random 100", 100, True, random=True),
)
CATEGORY_NAMES: tuple[str, ...] = tuple(c.name for c in CATEGORIES)


@dataclass(frozen=True)
class SplitSettings:
    """How many playlists to hold out. Seeded, so reruns agree."""

    test_fraction: float = 0.1
    val_fraction: float = 0.1
    # at most this many each: 10,000 is the RecSys 2018 challenge set's size; beyond it the
    # figures barely move while scoring and the ranker's training grow with the count
    max_test: int = 10_000
    max_val: int = 10_000
    seed: int = 42


@dataclass(frozen=True)
class HeldOut:
    """Held-out playlists: their row in ExportData, the visible seed, the hidden rest, and
    what the challenge shows of each: its category's name, and whether its title."""

    rows: np.ndarray
    seeds: list[np.ndarray]
    hidden: list[np.ndarray]
    category: list[str] = field(default_factory=list)  # a name in CATEGORY_NAMES
    shows_title: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))

    def __len__(self) -> int:
        return len(self.rows)

    def subset(self, keep: np.ndarray) -> HeldOut:
        """These playlists only (positions into this hold-out), fields kept aligned."""
        return HeldOut(
            self.rows[keep],
            [self.seeds[i] for i in keep],
            [self.hidden[i] for i in keep],
            [self.category[i] for i in keep],
            self.shows_title[keep],
        )

    def titles(self, names: Sequence[str]) -> list[str]:
        """Each held-out playlist's title where its category shows it, else "" (``names``:
        every playlist's title, by row): what anything scoring these playlists may see."""
        return [names[r] if s else "" for r, s in zip(self.rows, self.shows_title, strict=True)]


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


def assign_categories(lengths: np.ndarray, rng: np.random.Generator) -> list[Category]:
    """A category per playlist (each needs ``fits``), counts as even as the lengths allow.

    Eligibility is nested (a playlist long enough for 25 seeds fits every smaller one), so
    placing the shortest playlists first, each in the eligible category with the fewest
    so far (ties at random), evens the counts out as far as the lengths allow.
    """
    counts = np.zeros(len(CATEGORIES), np.int64)
    chosen = np.zeros(len(lengths), np.int64)
    for i in np.argsort(lengths, kind="stable"):
        eligible = np.flatnonzero([c.fits(int(lengths[i])) for c in CATEGORIES])
        if not len(eligible):
            raise ValueError(f"a playlist of {lengths[i]} tracks fits no category")
        fewest = eligible[counts[eligible] == counts[eligible].min()]
        chosen[i] = rng.choice(fewest)
        counts[chosen[i]] += 1
    return [CATEGORIES[c] for c in chosen]


def _shown(n: int, category: Category, rng: np.random.Generator) -> np.ndarray:
    """Positions of the tracks a playlist of ``n`` shows, in playlist order."""
    if category.random:
        return np.sort(rng.choice(n, category.seeds, replace=False))
    return np.arange(category.seeds)


def split_playlists(playlist_tracks: list[np.ndarray], settings: SplitSettings) -> Split:
    """Hold out val/test playlists of at least ``MIN_HIDDEN`` tracks; the rest trains."""
    rng = np.random.default_rng(settings.seed)
    eligible = np.array(
        [i for i, t in enumerate(playlist_tracks) if len(t) >= MIN_HIDDEN], np.int64
    )
    n = len(playlist_tracks)
    n_test = min(settings.max_test, max(1, round(settings.test_fraction * n)))
    n_val = max(1, round(settings.val_fraction * n)) if settings.val_fraction > 0 else 0
    n_val = min(settings.max_val, n_val)
    if len(eligible) < n_test + n_val + 1 or n - n_test - n_val < 2:
        raise DataError(
            f"too little data to split: {n} playlists, {len(eligible)} with at least"
            f" {MIN_HIDDEN} tracks; need {n_test + n_val + 1} such playlists"
        )
    chosen = rng.permutation(eligible)[: n_test + n_val]
    test_rows, val_rows = np.sort(chosen[:n_test]), np.sort(chosen[n_test:])
    train_tracks = list(playlist_tracks)

    def hold(rows: np.ndarray) -> HeldOut:
        lengths = np.array([len(playlist_tracks[r]) for r in rows], np.int64)
        categories = assign_categories(lengths, rng)
        seeds, hidden = [], []
        for row, category in zip(rows, categories, strict=True):
            tracks = playlist_tracks[row]
            shown = np.zeros(len(tracks), bool)
            shown[_shown(len(tracks), category, rng)] = True
            seeds.append(tracks[shown])
            hidden.append(tracks[~shown])
            train_tracks[row] = tracks[shown]
        show = np.array([c.title for c in categories], bool)
        return HeldOut(rows.astype(np.int32), seeds, hidden, [c.name for c in categories], show)

    test, val = hold(test_rows), hold(val_rows)
    return Split(train_tracks, val, test, settings)
