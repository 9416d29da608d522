"""Batch memory must not grow with seed length x candidates (50 playlists of 20,000
tracks took 6.1 GB): the artist/album overlap of each candidate with its seed is read
from the seed's sparse row, never from a copy of that row per candidate."""

from __future__ import annotations

import tracemalloc

import numpy as np
import scipy.sparse as sp

from tunegraph.model.ranker.candidates import _shared


def _case(q: int, c: int, n: int, seed: int) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray]:
    rng = np.random.default_rng(seed)
    seed_side = sp.random(q, n, density=0.5, format="csr", random_state=seed, dtype=np.float32)
    seed_side.data = np.ceil(seed_side.data * 3)  # how many seed tracks credit each artist
    tracks = n + 1
    artists = rng.integers(0, n, size=(tracks, 2))  # two credited artists a track
    side = sp.csr_matrix(
        (np.ones(2 * tracks, np.float32), (np.repeat(np.arange(tracks), 2), artists.ravel())),
        shape=(tracks, n),
    )
    side.data[:] = 1.0
    indices = rng.integers(0, tracks, size=(q, c))
    return seed_side, side, indices


def test_shared_counts_equal_a_dense_reference() -> None:
    seed_side, side, indices = _case(q=3, c=40, n=30, seed=1)
    dense_seed, dense_side = seed_side.toarray(), (side.toarray() > 0).astype(np.float32)
    expected = np.array(
        [[dense_seed[r] @ dense_side[t] for t in row] for r, row in enumerate(indices)]
    )
    np.testing.assert_allclose(_shared(seed_side, side, indices), expected)


def test_memory_follows_the_inputs_not_seed_times_candidates() -> None:
    seed_side, side, indices = _case(q=2, c=500, n=10_000, seed=2)
    inputs = (seed_side.nnz + side.nnz) * 12 + indices.size * 8  # data, index, pointer
    tracemalloc.start()
    try:
        _shared(seed_side, side, indices)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the copy per candidate held q * c * (seed artists) entries: 2,500 times the seed
    assert peak < 20 * inputs, (peak, inputs)
