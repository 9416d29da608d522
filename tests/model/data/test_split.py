from collections import Counter

import numpy as np
import pytest

from tunegraph.model.data.split import (
    CATEGORIES,
    CATEGORY_NAMES,
    MIN_HIDDEN,
    SplitSettings,
    assign_categories,
    split_playlists,
)
from tunegraph.model.errors import DataError

BY_NAME = {c.name: c for c in CATEGORIES}


def _playlists(n: int = 100, longest: int = 60) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [
        rng.choice(np.arange(1, 500), int(rng.integers(3, longest)), replace=False)
        for _ in range(n)
    ]


def _held(split):  # (row, seed, hidden, category, shows title) of every held-out playlist
    for held in (split.test, split.val):
        yield from zip(
            held.rows, held.seeds, held.hidden, held.category, held.shows_title, strict=True
        )


def test_hidden_tracks_never_reach_training() -> None:
    playlists = _playlists()
    split = split_playlists(playlists, SplitSettings(test_fraction=0.2, val_fraction=0.1))
    rows, tracks = split.train_pairs()
    train_pairs = set(zip(rows.tolist(), tracks.tolist(), strict=True))
    assert len(split.test) > 0 and len(split.val) > 0
    for row, seed, hidden, _, _ in _held(split):
        assert sorted(list(seed) + list(hidden)) == sorted(playlists[row])
        assert not any((int(row), int(t)) in train_pairs for t in hidden)
        assert all((int(row), int(t)) in train_pairs for t in seed)
    assert not set(split.test.rows) & set(split.val.rows)


def test_every_held_out_playlist_follows_its_category() -> None:
    playlists = _playlists(400, longest=160)
    split = split_playlists(playlists, SplitSettings(test_fraction=0.3, val_fraction=0.3))
    for row, seed, hidden, category, shows_title in _held(split):
        c = BY_NAME[category]
        assert len(seed) == c.seeds
        assert len(hidden) >= MIN_HIDDEN
        assert shows_title == c.title
        positions = [list(playlists[row]).index(t) for t in seed]
        assert positions == sorted(positions)  # kept in playlist order
        if not c.random:
            assert list(seed) + list(hidden) == list(playlists[row])
    assert set(split.test.category) == set(CATEGORY_NAMES)  # long enough for all ten


def test_random_position_seeds_are_not_prefixes() -> None:
    playlists = _playlists(400, longest=160)
    split = split_playlists(playlists, SplitSettings(test_fraction=0.3, val_fraction=0.3))
    randoms = [(row, seed) for row, seed, _, c, _ in _held(split) if BY_NAME[c].random]
    assert len(randoms) >= 10
    assert all(list(seed) != list(playlists[row][: len(seed)]) for row, seed in randoms)


def test_only_no_title_categories_hide_the_title() -> None:
    playlists = _playlists(400, longest=160)
    split = split_playlists(playlists, SplitSettings(test_fraction=0.3))
    names = [f"list {i}" for i in range(len(playlists))]
    titles = split.test.titles(names)
    for row, category, title in zip(split.test.rows, split.test.category, titles, strict=True):
        assert title == ("" if category in ("first 5", "first 10") else names[row])
    assert "" in titles and any(titles)


def test_category_counts_are_as_even_as_the_lengths_allow() -> None:
    rng = np.random.default_rng(1)
    # 100 lists fit title only / + first 1 (5..9 tracks); 900 fit everything (>= 105)
    lengths = np.concatenate([rng.integers(5, 10, 100), rng.integers(105, 300, 900)])
    counts = Counter(c.name for c in assign_categories(lengths, rng))
    assert set(counts) == set(CATEGORY_NAMES)
    assert max(counts.values()) - min(counts.values()) <= 1
    short = Counter(c.name for c in assign_categories(np.full(20, 7), rng))
    assert short == {"title only": 10, "title + first 1": 10}


def test_tiny_worlds_still_split() -> None:
    playlists = _playlists(60, longest=25)  # none long enough for 25 or 100 seeds
    split = split_playlists(playlists, SplitSettings(test_fraction=0.2, val_fraction=0.2))
    used = set(split.test.category) | set(split.val.category)
    assert used <= set(CATEGORY_NAMES[:6]) and "title only" in used
    assert all(len(playlists[r]) >= MIN_HIDDEN for r in split.test.rows)


def test_split_is_seeded() -> None:
    a = split_playlists(_playlists(), SplitSettings(seed=1))
    b = split_playlists(_playlists(), SplitSettings(seed=1))
    c = split_playlists(_playlists(), SplitSettings(seed=2))
    assert list(a.test.rows) == list(b.test.rows)
    assert a.test.category == b.test.category
    assert all(np.array_equal(x, y) for x, y in zip(a.test.seeds, b.test.seeds, strict=True))
    assert list(a.test.rows) != list(c.test.rows)


def test_too_little_data_is_a_clear_error() -> None:
    with pytest.raises(DataError, match="too little data"):
        split_playlists([np.array([1, 2, 3, 4, 5])] * 2, SplitSettings())
    with pytest.raises(DataError, match="at least 5 tracks"):
        split_playlists([np.array([1, 2, 3, 4])] * 50, SplitSettings())


def test_held_out_counts_are_capped_on_large_collections() -> None:
    settings = SplitSettings(test_fraction=0.2, val_fraction=0.3, max_test=7, max_val=11)
    split = split_playlists(_playlists(), settings)
    assert (len(split.test), len(split.val)) == (7, 11)
    uncapped = split_playlists(_playlists(), SplitSettings(test_fraction=0.2, val_fraction=0.3))
    assert (len(uncapped.test), len(uncapped.val)) == (20, 30)


def test_subset_keeps_fields_aligned() -> None:
    split = split_playlists(_playlists(), SplitSettings(test_fraction=0.3))
    keep = np.array([2, 0])
    part = split.test.subset(keep)
    assert list(part.rows) == [split.test.rows[2], split.test.rows[0]]
    assert part.category == [split.test.category[2], split.test.category[0]]
    assert list(part.shows_title) == [split.test.shows_title[2], split.test.shows_title[0]]
    assert np.array_equal(part.hidden[1], split.test.hidden[0])
