"""The merged candidates and their features, on a hand-made world small enough to check."""

import numpy as np
import pytest

from tunegraph.model.data.export import TrackTable
from tunegraph.model.data.matrix import Csr
from tunegraph.model.ranker.candidates import FEATURES, Retrievers
from tunegraph.model.retrievers.als import Als, AlsConfig
from tunegraph.model.retrievers.names import NameIndex

pytestmark = pytest.mark.tensorflow  # imports or trains TensorFlow models


def _tracks(n: int, artists: list[list[int]], albums: list[int]) -> TrackTable:
    lengths = [0, 0, *(len(a) for a in artists)]
    return TrackTable(
        ids=[f"t{i}" for i in range(1, n + 1)],
        names=[f"Track {i}" for i in range(1, n + 1)],
        artist_names=[[f"a{a}" for a in row] for row in artists],
        artist_index=np.array([0, *(row[0] + 1 for row in artists)], np.int32),
        n_artists=max(a for row in artists for a in row) + 1,
        audio=np.zeros((n + 1, 1), np.float32),
        audio_mask=np.zeros(n + 1, np.float32),
        popularity=np.zeros(n + 1, np.float32),
        popularity_mask=np.zeros(n + 1, np.float32),
        album_index=np.array([0, *albums], np.int32),
        credit_indptr=np.cumsum(lengths),
        credit_indices=np.array([a for row in artists for a in row], np.int32),
    )


@pytest.fixture(scope="module")
def retrievers() -> Retrievers:
    # tracks 1-6 ("rock"), 7-12 ("jazz"); track 13 credits artists 0 and 9
    rng = np.random.default_rng(0)
    rows, names = [], []
    for i in range(120):
        base = 1 if i % 2 == 0 else 7
        rows.append(rng.choice(np.arange(base, base + 6), 4, replace=False))
        names.append("Rock Hits!" if i % 2 == 0 else "smooth jazz")
    rows.append(np.array([13, 1]))
    names.append("misc")
    artists = [[t // 3] for t in range(1, 13)] + [[0, 9]]
    albums = [1 + t // 2 for t in range(1, 14)]
    train = Csr(rows, n_tracks=13)
    als = Als.fit(train, AlsConfig(factors=4, iterations=5))
    return Retrievers(train, _tracks(13, artists, albums), names, als)


def test_candidates_skip_seeds_and_are_distinct(retrievers: Retrievers) -> None:
    seeds = [np.array([1, 2]), np.array([], np.int64)]
    batch = retrievers.candidates(seeds, ["rock hits", "smooth jazz"])
    assert batch.features.shape == (*batch.indices.shape, len(FEATURES))
    for row, seed in zip(batch.indices, seeds, strict=True):
        kept = row[row > 0]
        assert len(kept) == len(set(kept.tolist()))
        assert not set(kept.tolist()) & set(seed.tolist())
    # a name alone finds its own kind of tracks
    jazz = batch.indices[1][batch.indices[1] > 0]
    assert set(jazz.tolist()) >= set(range(7, 13))
    assert np.all(batch.features[~batch.mask] == 0.0)


def test_artist_and_album_shares(retrievers: Retrievers) -> None:
    seed = np.array([1, 2])  # artist 0 (tracks 1, 2), albums 1 and 2
    batch = retrievers.candidates([seed], ["rock hits"])
    row = list(batch.indices[0])
    x = batch.features[0]
    artist, album = FEATURES.index("artist_share"), FEATURES.index("album_share")
    assert x[row.index(13), artist] == pytest.approx(1.0)  # credits artist 0, like both seeds
    assert x[row.index(4), artist] == 0.0  # artist 1
    assert x[row.index(3), album] == pytest.approx(0.5)  # album 2, like seed track 2


def test_names_are_scored_by_name_and_by_word() -> None:
    train = Csr([np.array([1, 2]), np.array([2, 3]), np.array([4])], n_tracks=4)
    index = NameIndex(["Chill vibes", "chill", "gym"], train)
    queries = ["CHILL", "chill out", "unknown"]
    exact, words = index.exact_scores(queries).toarray(), index.word_scores(queries).toarray()
    assert exact[0, 2] > 0 and exact[0, 1] == 0  # only the playlist named "chill"
    assert words[1, 2] > words[1, 1] > 0 and words[1, 4] == 0  # both "chill" lists hold 2
    assert not exact[2].any() and not words[2].any()
    assert index.knows("Chill out") and not index.knows("unknown")


def test_every_retriever_is_fitted_and_described_by_its_features(retrievers: Retrievers) -> None:
    from tunegraph.model.ranker.candidates import RETRIEVERS

    # no two-tower model here: every other retriever of the list is fitted
    assert set(retrievers.fitted) == {s.name for s in RETRIEVERS} - {"tower"}
    seeds = [np.array([1, 2])]
    batch = retrievers.candidates(seeds, ["rock hits"])
    for spec in RETRIEVERS:
        assert f"{spec.name}_score" in FEATURES and f"{spec.name}_rank" in FEATURES
    # RP3beta proposes candidates and scores them: its feature is set on real candidates
    rp3 = batch.features[0, batch.mask[0], FEATURES.index("rp3beta_score")]
    assert rp3.max() == pytest.approx(1.0)  # scaled by the query's best score
    # a feature-only source (depth 0) adds no candidates but still describes them
    share = batch.features[0, batch.mask[0], FEATURES.index("knn_share_score")]
    assert share.max() > 0


def test_per_seed_features_reach_the_candidates(retrievers: Retrievers) -> None:
    batch = retrievers.candidates([np.array([1, 2])], ["rock hits"])
    row = list(batch.indices[0])
    x = batch.features[0]
    cooc = FEATURES.index("cooc_max")
    assert x[row.index(3), cooc] > 0  # rock tracks share playlists with the seeds
    jazz = [row.index(t) for t in range(7, 13) if t in row]
    assert all(x[j, cooc] == 0 for j in jazz)  # jazz tracks never sit beside them
    assert x[0, FEATURES.index("has_title")] == 1.0


def test_dense_scans_beside_the_sparse_work_change_nothing(retrievers: Retrievers) -> None:
    seeds = [np.array([1, 2]), np.array([], np.int64), np.array([8, 9, 13])]
    names = ["rock hits", "smooth jazz", ""]
    inline = retrievers.candidates(seeds, names)
    beside = retrievers.candidates(seeds, names, scan_beside=True)
    np.testing.assert_array_equal(beside.indices, inline.indices)
    np.testing.assert_array_equal(beside.features, inline.features)
