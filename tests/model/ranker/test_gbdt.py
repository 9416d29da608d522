"""The gradient-boosted ranker learns an order from features and survives a round trip."""

from pathlib import Path

import numpy as np
import pytest

from tunegraph.model.ranker.gbdt import GbdtConfig, GbdtRanker, fit_gbdt


def _lists(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 40, 3)).astype(np.float32)
    relevant = x[:, :, 1] > 1.0  # only the second feature says which candidates are hits
    mask = np.ones((n, 40), bool)
    mask[:, 35:] = False  # padding
    return x, relevant & mask, mask


def test_it_ranks_hits_first_and_padding_last(tmp_path: Path) -> None:
    x, relevant, mask = _lists(200, 0)
    config = GbdtConfig(trees=30, min_rows_in_leaf=5, negatives=20, threads=1)
    ranker = fit_gbdt(config, x, relevant, mask)
    tx, trel, tmask = _lists(50, 1)
    scores = ranker.scores(tx, tmask)
    assert np.all(np.isneginf(scores[~tmask]))
    # the compiled trees score as LightGBM's own predict does
    lightgbm_scores = ranker.booster.predict(tx[tmask])  # type: ignore[attr-defined]
    np.testing.assert_allclose(scores[tmask], lightgbm_scores, rtol=1e-6, atol=1e-6)
    top = np.argsort(-scores, axis=1)[:, :3]
    precision = np.take_along_axis(trel, top, axis=1).mean()
    assert precision > 0.9  # a random order would get the hit rate, about 0.16
    ranker.save(tmp_path / "ranker")
    again = GbdtRanker.load(tmp_path / "ranker", config)
    np.testing.assert_allclose(again.scores(tx, tmask), scores)


def test_lists_without_a_hit_are_refused() -> None:
    x, _, mask = _lists(5, 2)
    with pytest.raises(ValueError, match="hidden track"):
        fit_gbdt(GbdtConfig(trees=2), x, np.zeros(mask.shape, bool), mask)
