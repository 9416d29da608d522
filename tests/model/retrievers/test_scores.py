import numpy as np
import pytest
import scipy.sparse as sp

from tunegraph.model.retrievers.scores import Catalogue, DenseScores, SparseScores

pytestmark = pytest.mark.tensorflow  # imports or trains TensorFlow models


def test_dense_scores_rank_dot_products_without_seeds_or_padding() -> None:
    items = np.array([[9.0, 9.0], [1.0, 0.0], [0.0, 1.0], [2.0, 0.0], [0.5, 0.5]], np.float32)
    every = Catalogue(items, np.zeros(5, np.float32), min_playlists=0)
    scores = DenseScores(np.array([[1.0, 0.0], [0.0, 1.0]], np.float32), items, every)
    top = scores.top([np.array([3]), np.array([], np.int64)], 2)
    assert top.tolist() == [[1, 4], [2, 4]]  # row 0 padding never; seed 3 skipped
    assert np.allclose(scores.at(np.array([[3, 2], [2, 1]])), [[2.0, 0.0], [1.0, 0.0]])
    assert np.allclose(scores.peak([np.array([3]), np.array([], np.int64)]), [1.0, 1.0])


def test_a_catalogue_leaves_rare_tracks_out_of_top_but_still_scores_them() -> None:
    items = np.array([[9.0, 9.0], [1.0, 0.0], [0.0, 1.0], [2.0, 0.0], [0.5, 0.5]], np.float32)
    counts = np.array([0, 5, 2, 1, 3], np.float32)  # track 3 is in one playlist only
    catalogue = Catalogue(items, counts, min_playlists=2)
    assert catalogue.tracks.tolist() == [1, 2, 4]
    scores = DenseScores(np.array([[1.0, 0.0], [0.0, 1.0]], np.float32), items, catalogue)
    top = scores.top([np.array([1]), np.array([3, 2])], 3)
    # row 0: 3 would score best (2.0) but is rare; seed 1 out; a short catalogue pads 0
    assert top.tolist() == [[4, 2, 0], [4, 1, 0]]
    assert np.allclose(scores.at(np.array([[3, 4]])), [[2.0, 0.5]])  # a rare candidate: scored
    assert np.allclose(scores.peak([]), [0.5, 0.5])  # the best of what ``top`` could pick


def test_sparse_scores_top_lookup_and_peak() -> None:
    m = sp.csr_matrix(np.array([[0, 0.5, 0, 2.0, 1.0], [0, 0, 0, 0, 0]], np.float32))
    scores = SparseScores(m)
    seeds = [np.array([3]), np.array([1])]
    top = scores.top(seeds, 3)
    assert top.tolist() == [[4, 1, 0], [0, 0, 0]]  # only positive, non-seed entries
    assert np.allclose(scores.at(np.array([[4, 2], [1, 3]])), [[1.0, 0.0], [0.0, 0.0]])
    assert np.allclose(scores.peak(seeds), [1.0, 0.0])
