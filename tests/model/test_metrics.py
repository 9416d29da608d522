import math

import pytest

from tunegraph.model.metrics import METRIC_NAMES, mean_metrics, ranking_metrics


def test_hand_checked_values() -> None:
    # hidden {1, 2}; ranked list hits at ranks 1 and 3
    m = ranking_metrics([1, 9, 2, 8], [1, 2])
    assert m["recall@10"] == 1.0
    assert m["r_precision"] == 0.5  # top-2 holds one of the two hidden tracks
    dcg = 1.0 + 1.0 / math.log2(4)
    idcg = 1.0 + 1.0 / math.log2(3)
    assert m["ndcg@100"] == pytest.approx(dcg / idcg)


def test_recall_counts_only_the_first_k() -> None:
    ranked = list(range(100, 200))  # 100 misses
    ranked[20] = 1
    m = ranking_metrics(ranked, [1, 2, 3, 4])
    assert m["recall@10"] == 0.0
    assert m["recall@50"] == 0.25
    assert m["recall@100"] == 0.25


def test_perfect_and_empty_lists() -> None:
    perfect = ranking_metrics([5, 6, 7], [5, 6, 7])
    assert all(perfect[name] == 1.0 for name in METRIC_NAMES if name != "clicks")
    assert perfect["clicks"] == 0.0
    miss = ranking_metrics([1, 2, 3], [9])
    assert all(miss[name] == 0.0 for name in METRIC_NAMES if name != "clicks")
    assert miss["clicks"] == 51.0


def test_challenge_ndcg_and_clicks() -> None:
    # hidden {1, 2}; hits at ranks 2 and 3. Challenge DCG: rel_1 + sum_{i>=2} rel_i/log2(i)
    m = ranking_metrics([9, 1, 2], [1, 2])
    assert m["ndcg"] == pytest.approx((1.0 + 1.0 / math.log2(3)) / 2.0)
    assert m["clicks"] == 0.0  # first hit at rank 2: floor((2 - 1) / 10)
    late = [100 + i for i in range(499)]
    late[25] = 1
    m = ranking_metrics(late, [1])
    assert m["clicks"] == 2.0  # first hit at rank 26
    assert m["recall@500"] == 1.0 and m["recall@100"] == 1.0


def test_mean_over_playlists_and_errors() -> None:
    m = mean_metrics([[1], [2]], [[1], [3]])
    assert set(m) == set(METRIC_NAMES)
    assert m["recall@10"] == 0.5
    with pytest.raises(ValueError):
        ranking_metrics([1], [])
    with pytest.raises(ValueError):
        mean_metrics([[1]], [[1], [2]])
