import numpy as np

from tunegraph.model.baselines import (
    Csr,
    cooccurrence_rankings,
    cooccurrence_scores,
    popularity_rankings,
    top_k,
)


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
    scores = cooccurrence_scores(train, np.array([2]))
    # cos(2,3) = 3 / sqrt(3*3) = 1; cos(2,1) = 3 / sqrt(3*4); cos(2,4) = 0
    assert scores[3] == np.float64(1.0)
    assert np.isclose(scores[1], 3 / np.sqrt(12))
    assert scores[4] == 0.0
    (ranked,) = cooccurrence_rankings(train, [np.array([2])], k=3)
    assert list(ranked) == [3, 1, 4]


def test_top_k_excludes_padding_and_seed() -> None:
    ranked = top_k(np.array([9.0, 1.0, 5.0, 3.0]), exclude=np.array([2]), k=5)
    assert list(ranked) == [3, 1]
