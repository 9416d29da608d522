"""Per-seed ranker features against a brute-force count on a tiny world."""

import numpy as np
import pytest
import scipy.sparse as sp

from tunegraph.model.data.matrix import Csr
from tunegraph.model.ranker.seed_features import LAST, SEED_FEATURES, SeedComparer


def _world() -> tuple[Csr, list[np.ndarray]]:
    rng = np.random.default_rng(3)
    rows = [
        np.sort(rng.choice(np.arange(1, 31), rng.integers(3, 9), replace=False)) for _ in range(60)
    ]
    return Csr(rows, n_tracks=30), rows


def _all_playlists(n_queries: int, n_playlists: int) -> sp.csr_matrix:
    return sp.csr_matrix(np.ones((n_queries, n_playlists), np.float32))


def test_cooccurrence_statistics_match_a_brute_force_count() -> None:
    train, rows = _world()
    factors = np.random.default_rng(0).normal(size=(31, 4)).astype(np.float32)
    comparer = SeedComparer(train, factors, None, np.zeros(31, np.int32))
    seeds = [np.array([1, 2, 3, 4, 5, 6, 7]), np.array([9]), np.array([], np.int64)]
    indices = np.array([[10, 11, 12, 0], [1, 2, 30, 29], [5, 6, 0, 0]], np.int32)
    x = comparer.features(indices, seeds, ["a", "", "b"], _all_playlists(3, len(rows)))
    sets = [set(r.tolist()) for r in rows]
    degree = np.maximum(train.counts, 1.0)
    f = {name: i for i, name in enumerate(SEED_FEATURES)}
    for q, seed in enumerate(seeds):
        for j, cand in enumerate(indices[q]):
            if cand == 0:
                assert not x[q, j].any()
                continue
            cos = [
                sum(1 for p in sets if s in p and cand in p) / np.sqrt(degree[s] * degree[cand])
                for s in seed
            ]
            recent = cos[-LAST:]
            assert x[q, j, f["cooc_max"]] == pytest.approx(max(cos, default=0.0), rel=1e-5)
            assert x[q, j, f["cooc_mean"]] == pytest.approx(np.mean(cos) if cos else 0.0, rel=1e-5)
            share = np.mean([c > 0 for c in cos]) if cos else 0.0
            assert x[q, j, f["cooc_seed_share"]] == pytest.approx(share)
            assert x[q, j, f["cooc_last_max"]] == pytest.approx(max(recent, default=0.0), rel=1e-5)
    assert x[0, 0, f["has_title"]] == 1.0 and x[1, 0, f["has_title"]] == 0.0


def test_only_the_given_playlists_are_counted() -> None:
    train, rows = _world()
    comparer = SeedComparer(train, np.ones((31, 2), np.float32), None, np.zeros(31, np.int32))
    seeds, indices = [np.array([1, 2, 3])], np.array([[4, 5, 6]], np.int32)
    none = sp.csr_matrix((1, len(rows)), dtype=np.float32)
    x = comparer.features(indices, seeds, [""], none)
    assert not x[:, :, :4].any()


def test_similarities_and_artist_matches_with_the_last_seeds() -> None:
    train, _ = _world()
    units = np.zeros((31, 2), np.float32)
    units[:, 0] = 1.0
    units[7] = [0.0, 1.0]  # orthogonal to every other track
    artists = np.zeros(31, np.int32)
    artists[[1, 8, 9]] = 5  # seed track 1 (early) and candidate 9 share artist 5
    artists[[6, 10]] = 7  # seed track 6 (among the last) and candidate 10 share artist 7
    comparer = SeedComparer(train, units, units, artists)
    seeds = [np.array([1, 2, 3, 4, 5, 6])]
    indices = np.array([[7, 9, 10]], np.int32)
    x = comparer.features(indices, seeds, [""], _all_playlists(1, len(train)))
    f = {name: i for i, name in enumerate(SEED_FEATURES)}
    assert x[0, 0, f["als_sim_max"]] == pytest.approx(0.0)
    assert x[0, 1, f["als_sim_mean"]] == pytest.approx(1.0)
    assert x[0, 1, f["tower_sim_max"]] == pytest.approx(1.0)
    assert x[0, 1, f["artist_last"]] == 0.0  # seed track 1 is not among the last five
    assert x[0, 2, f["artist_last"]] == pytest.approx(1 / LAST)
