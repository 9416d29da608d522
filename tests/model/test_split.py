import numpy as np
import pytest

from tunegraph.model.errors import DataError
from tunegraph.model.split import SplitSettings, split_playlists


def _playlists(n: int = 100) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [
        rng.choice(np.arange(1, 500), int(rng.integers(3, 60)), replace=False) for _ in range(n)
    ]


def test_hidden_tracks_never_reach_training() -> None:
    playlists = _playlists()
    split = split_playlists(playlists, SplitSettings(test_fraction=0.2, val_fraction=0.1))
    rows, tracks = split.train_pairs()
    train_pairs = set(zip(rows.tolist(), tracks.tolist(), strict=True))
    for held in (split.test, split.val):
        assert len(held) > 0
        for row, seed, hidden in zip(held.rows, held.seeds, held.hidden, strict=True):
            assert len(hidden) >= 1
            assert list(seed) + list(hidden) == list(playlists[row])  # seed is the first part
            assert not any((int(row), int(t)) in train_pairs for t in hidden)
            assert all((int(row), int(t)) in train_pairs for t in seed)
    assert not set(split.test.rows) & set(split.val.rows)


def test_seed_sizes_follow_the_settings() -> None:
    playlists = _playlists()
    split = split_playlists(playlists, SplitSettings(test_fraction=0.3, seed_sizes=(5, 10, 25, 0)))
    for row, seed in zip(split.test.rows, split.test.seeds, strict=True):
        n = len(playlists[row])
        assert len(seed) in {5, 10, 25, max(1, n // 2)}


def test_split_is_seeded() -> None:
    a = split_playlists(_playlists(), SplitSettings(seed=1))
    b = split_playlists(_playlists(), SplitSettings(seed=1))
    c = split_playlists(_playlists(), SplitSettings(seed=2))
    assert list(a.test.rows) == list(b.test.rows)
    assert list(a.test.rows) != list(c.test.rows)


def test_too_little_data_is_a_clear_error() -> None:
    with pytest.raises(DataError, match="too little data"):
        split_playlists([np.array([1, 2, 3, 4, 5])] * 2, SplitSettings())


def test_held_out_counts_are_capped_on_large_collections() -> None:
    settings = SplitSettings(test_fraction=0.2, val_fraction=0.3, max_test=7, max_val=11)
    split = split_playlists(_playlists(), settings)
    assert (len(split.test), len(split.val)) == (7, 11)
    uncapped = split_playlists(_playlists(), SplitSettings(test_fraction=0.2, val_fraction=0.3))
    assert (len(uncapped.test), len(uncapped.val)) == (20, 30)
