import numpy as np
import pytest

from tunegraph.model.data.matrix import (
    Csr,
    popularity_rankings,
    seed_matrix,
    top_k,
    top_k_rows,
    top_rows,
)
from tunegraph.model.retrievers.als import Als, AlsConfig
from tunegraph.model.retrievers.ease import Ease, EaseConfig
from tunegraph.model.retrievers.neighbours import Neighbours, cooccurrence_rankings


def _csr() -> Csr:
    # 4 tracks; track 1 is in every playlist, 2 and 3 always together, 4 alone once
    rows = [np.array(r) for r in ([1, 2, 3], [1, 2, 3], [1, 4], [1, 2, 3])]
    return Csr(rows, n_tracks=4)


def test_popularity_ranks_most_frequent_first_and_skips_seed() -> None:
    train = _csr()
    (ranked,) = popularity_rankings(train, [np.array([], np.int32)], k=4)
    assert list(ranked) == [1, 2, 3, 4]
    (ranked,) = popularity_rankings(train, [np.array([1])], k=3)
    assert list(ranked) == [2, 3, 4]


def test_cooccurrence_is_cosine_over_playlists() -> None:
    train = _csr()
    (scores,) = Neighbours(train).item_scores([np.array([2])]).toarray()
    # cos(2,3) = 3 / sqrt(3*3) = 1; cos(2,1) = 3 / sqrt(3*4); cos(2,4) = 0
    assert np.isclose(scores[3], 1.0)
    assert np.isclose(scores[1], 3 / np.sqrt(12))
    assert scores[4] == 0.0
    (ranked,) = cooccurrence_rankings(train, [np.array([2])], k=3)
    assert list(ranked) == [3, 1, 4]


def test_cooccurrence_baseline_walks_only_the_heaviest_playlists_past_its_cap() -> None:
    # seeds 1 and 2: the two playlists holding both weigh most; track 3 sits in twenty
    # light ones (1 only), so it wins the exact sum and vanishes under a cap of two
    rows = [np.array([1, 2, 4]), np.array([1, 2])] + [np.array([1, 3])] * 20
    train = Csr(rows, n_tracks=4)
    seed = [np.array([1, 2])]
    (exact,) = cooccurrence_rankings(train, seed, k=2, max_playlists=len(rows))
    (capped,) = cooccurrence_rankings(train, seed, k=2, max_playlists=2)
    assert list(exact) == [3, 4]
    assert capped[0] == 4


def test_playlist_knn_votes_with_the_most_similar_playlists() -> None:
    rows = [np.array(r) for r in ([1, 2, 5], [1, 2, 6], [3, 4, 7], [3, 7, 8])]
    train = Csr(rows, n_tracks=8)
    (scores,) = Neighbours(train).playlist_scores([np.array([1, 2])]).toarray()
    assert scores[5] > 0 and scores[6] > 0  # in playlists that share both seed tracks
    assert scores[7] == scores[8] == 0.0  # in playlists that share none


def test_top_k_excludes_padding_and_seed() -> None:
    ranked = top_k(np.array([9.0, 1.0, 5.0, 3.0]), exclude=np.array([2]), k=5)
    assert list(ranked) == [3, 1]


def test_seed_matrix_drops_padding_and_duplicates() -> None:
    m = seed_matrix([np.array([0, 2, 2, 3]), np.array([], np.int64)], n_tracks=4)
    assert m.shape == (2, 5)
    assert m.toarray().tolist() == [[0, 0, 1, 1, 0], [0, 0, 0, 0, 0]]


def _two_communities(seed: int = 0) -> Csr:
    """Tracks 1-10 and 11-20 never meet; every playlist holds 5 tracks of one side."""
    rng = np.random.default_rng(seed)
    rows = [rng.choice(np.arange(1, 11) + 10 * (i % 2), 5, replace=False) for i in range(200)]
    return Csr(rows, n_tracks=20)


def test_als_and_ease_recommend_within_the_seed_community() -> None:
    train = _two_communities()
    seeds = [np.array([1, 2]), np.array([11, 12])]
    als = Als.fit(train, AlsConfig(factors=2, iterations=10))
    ease = Ease(train, EaseConfig(max_tracks=20, l2=10.0))
    for name, scorer in (("als", als.scores), ("ease", ease.scores)):
        low, high = scorer(seeds)
        assert low[3:11].mean() > low[13:21].mean() + 0.1, name
        assert high[13:21].mean() > high[3:11].mean() + 0.1, name
        first, _ = top_k_rows(scorer, seeds, k=3)
        assert set(first) <= set(range(3, 11)), name
    assert not np.any(als.query_factors([np.array([], np.int64)]))  # no seed: no opinion


def _sorted_top(scores: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """The definition top_rows must meet: a full sort, best first, ties by column."""
    columns = np.array([np.lexsort((np.arange(len(r)), -r))[:depth] for r in scores])
    return np.take_along_axis(scores, columns, axis=1), columns


@pytest.mark.parametrize(
    "shape",
    [
        "random",  # the sampled cut-off passes about 2 x depth
        "ascending",  # best scores all at the end: no sample cut-off holds enough
        "ties",  # few distinct values: equal scores in column order
        "short",  # rows too short to sample
        "minus_inf",  # fewer finite scores than depth
    ],
)
def test_top_rows_equals_a_full_sort(shape: str) -> None:
    rng = np.random.default_rng(3)
    n, depth = (60, 40) if shape == "short" else (20_000, 100)
    scores = rng.standard_normal((5, n)).astype(np.float32)
    if shape == "ascending":
        scores = np.sort(scores, axis=1)
        scores[1] = scores[1, ::-1]
    elif shape == "ties":
        scores = rng.integers(0, 4, (5, n)).astype(np.float32)
    elif shape == "minus_inf":
        scores[:, 30:] = -np.inf
    values, columns = top_rows(scores, depth)
    want_values, want_columns = _sorted_top(scores, depth)
    np.testing.assert_array_equal(values, want_values)
    np.testing.assert_array_equal(columns, want_columns)
