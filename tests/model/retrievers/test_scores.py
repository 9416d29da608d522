import numpy as np
import scipy.sparse as sp

from tunegraph.model.retrievers.scores import DenseScores, SparseScores


def test_dense_scores_rank_dot_products_without_seeds_or_padding() -> None:
    items = np.array([[9.0, 9.0], [1.0, 0.0], [0.0, 1.0], [2.0, 0.0], [0.5, 0.5]], np.float32)
    scores = DenseScores(np.array([[1.0, 0.0], [0.0, 1.0]], np.float32), items)
    top = scores.top([np.array([3]), np.array([], np.int64)], 2)
    assert top.tolist() == [[1, 4], [2, 4]]  # row 0 padding never; seed 3 skipped
    assert np.allclose(scores.at(np.array([[3, 2], [2, 1]])), [[2.0, 0.0], [1.0, 0.0]])
    assert np.allclose(scores.peak([np.array([3]), np.array([], np.int64)]), [1.0, 1.0])


def test_dense_scores_top_beyond_the_catalogue_pads_with_zero() -> None:
    items = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, 0.0], [2.0, 0.0]], np.float32)
    scores = DenseScores(np.array([[1.0, 0.0]], np.float32), items)
    assert scores.top([np.array([3])], 5).tolist() == [[1, 2, 0]]  # best first, seed out
    assert np.allclose(scores.peak([np.array([3])]), [1.0])


def test_dense_scores_query_of_zero_factors_proposes_nothing() -> None:
    # ALS folds a title-only playlist in to zero factors: every track ties at 0
    items = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, 0.5], [0.0, 2.0]], np.float32)
    scores = DenseScores(np.array([[0.0, 0.0], [0.0, 1.0]], np.float32), items)
    seeds = [np.array([], np.int64), np.array([3])]
    assert scores.top(seeds, 2).tolist() == [[0, 0], [2, 1]]
    assert np.allclose(scores.peak(seeds), [0.0, 0.5])


def test_sparse_scores_top_lookup_and_peak() -> None:
    m = sp.csr_matrix(np.array([[0, 0.5, 0, 2.0, 1.0], [0, 0, 0, 0, 0]], np.float32))
    scores = SparseScores(m)
    seeds = [np.array([3]), np.array([1])]
    top = scores.top(seeds, 3)
    assert top.tolist() == [[4, 1, 0], [0, 0, 0]]  # only positive, non-seed entries
    assert np.allclose(scores.at(np.array([[4, 2], [1, 3]])), [[1.0, 0.0], [0.0, 0.0]])
    assert np.allclose(scores.peak(seeds), [1.0, 0.0])
    assert np.allclose(SparseScores(m).peak(seeds), [1.0, 0.0])  # peak before any top
