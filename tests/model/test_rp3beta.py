"""RP3beta against its definition, computed by hand on a tiny matrix."""

import numpy as np
import pytest

from tunegraph.model.matrix import Csr
from tunegraph.model.rp3beta import Rp3Beta, Rp3Config


def test_scores_follow_the_random_walk_definition() -> None:
    rows = [np.array([1, 2]), np.array([2, 3, 4]), np.array([1, 4]), np.array([3])]
    train = Csr(rows, n_tracks=4)
    alpha, beta = 0.8, 0.4
    walk = Rp3Beta(train, Rp3Config(alpha=alpha, beta=beta, playlists=0)).walk([np.array([1, 2])])
    degree = train.counts
    for target in range(1, 5):
        expected = 0.0
        for seed in (1, 2):
            for row in rows:
                if seed in row and target in row:
                    expected += (1 / degree[seed]) ** alpha * (1 / len(row)) ** alpha
        expected *= degree[target] ** -beta
        assert walk[0, target] == pytest.approx(expected, rel=1e-5)


def test_popular_tracks_are_penalised_more_with_a_larger_beta() -> None:
    # track 1 is in every playlist, track 5 only in the seed's two playlists
    rows = [np.array([1, 2, 5]), np.array([1, 2, 5]), np.array([1, 3]), np.array([1, 4])]
    train = Csr(rows, n_tracks=5)
    seed = [np.array([2])]
    flat = Rp3Beta(train, Rp3Config(beta=0.0, playlists=0)).walk(seed).toarray()[0]
    steep = Rp3Beta(train, Rp3Config(beta=1.0, playlists=0)).walk(seed).toarray()[0]
    assert flat[1] == pytest.approx(flat[5])  # the walk alone cannot tell them apart
    assert steep[5] > steep[1]


def test_capping_the_playlists_keeps_the_ones_the_walk_reaches_most() -> None:
    rows = [np.array([1, 2, 3]), np.array([1, 4, 5, 6, 7, 8, 9]), np.array([2, 3])]
    train = Csr(rows, n_tracks=9)
    capped = Rp3Beta(train, Rp3Config(playlists=1)).walk([np.array([1, 2])]).toarray()[0]
    assert capped[3] > 0  # playlist 0 holds both seeds: the heaviest
    assert capped[4] == 0  # playlist 1, reached through one seed only, is left out
