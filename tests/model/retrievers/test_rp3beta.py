"""RP3beta against its definition, computed by hand on a tiny matrix."""

import numpy as np
import pytest

from tunegraph.model.data.matrix import Csr
from tunegraph.model.retrievers.neighbours import ITEM_KNN_PLAYLISTS, ItemKnn, Neighbours
from tunegraph.model.retrievers.protocol import Queries
from tunegraph.model.retrievers.rp3beta import Rp3Beta, Rp3Config


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


def test_a_batch_walks_its_first_step_once_for_rp3beta_and_item_cooccurrence() -> None:
    rng = np.random.default_rng(1)
    rows = [rng.choice(np.arange(1, 30), 6, replace=False) for _ in range(40)]
    train = Csr(rows, n_tracks=29)
    seeds = [np.array([1, 2, 3]), np.array([7]), np.array([], np.int64)]
    queries = Queries(seeds, ["", "", ""], np.zeros(3, np.int32))
    neighbours = Neighbours(train)
    cooccurrence = ItemKnn(neighbours).scores(queries).matrix
    rp3 = Rp3Beta(train, Rp3Config(alpha=0.5, playlists=ITEM_KNN_PLAYLISTS))
    shared = rp3.scores(queries).matrix
    assert [k for k in queries._shared if k.startswith("walk_start")] == [
        f"walk_start/0.5/{ITEM_KNN_PLAYLISTS}"
    ]  # one first step, both read it
    assert np.allclose(shared.toarray(), rp3.walk(seeds).toarray(), atol=1e-6)
    assert np.allclose(cooccurrence.toarray(), neighbours.item_scores(seeds).toarray(), atol=1e-6)
    assert shared[0].nnz > 0 and shared[2].nnz == 0  # an empty seed walks nowhere
    other = Rp3Beta(train, Rp3Config(alpha=0.8)).scores(queries).matrix  # its own first step
    assert np.allclose(other.toarray(), Rp3Beta(train, Rp3Config(alpha=0.8)).walk(seeds).toarray())
