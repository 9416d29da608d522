"""Train -> evaluate -> recommend on a structured toy world, through the library API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tunegraph.model.metrics import METRIC_NAMES
from tunegraph.testing.export_dir import write_export_dir


def test_train_writes_a_complete_model_dir(trained) -> None:
    d = trained.model_dir
    for name in (
        "config.json",
        "manifest.json",
        "metrics.json",
        "arrays.npz",
        "curves.png",
        "vocab/track_id.txt",
        "index/saved_model.pb",
    ):
        assert (d / name).exists(), name
    rows = trained.result.metrics
    assert {"two-tower", "tunegraph", "popularity", "co-occurrence", "ALS", "EASE"} <= set(rows)
    for values in rows.values():
        assert set(values) == set(METRIC_NAMES)
        assert all(0.0 <= v <= 1.0 for k, v in values.items() if k != "clicks")
        assert 0.0 <= values["clicks"] <= 51.0
        assert values["recall@10"] <= values["recall@50"] <= values["recall@100"]
    saved = json.loads((d / "metrics.json").read_text())
    assert saved["categories"] == trained.result.categories


def test_train_reports_every_method_per_challenge_category(trained) -> None:
    from tunegraph.model.data.split import CATEGORY_NAMES

    result = trained.result
    assert list(result.categories) == [c for c in CATEGORY_NAMES if c in result.categories]
    assert {"title only", "first 5", "title + first 10"} <= set(result.categories)
    assert set(result.category_playlists) == set(result.categories)
    test_lists = sum(result.category_playlists.values())
    for rows in result.categories.values():
        assert set(rows) == set(result.metrics)  # baselines on the same split, per category
    for method, overall in result.metrics.items():  # overall = the lists' weighted mean
        mean = sum(
            result.categories[c][method]["ndcg"] * n for c, n in result.category_playlists.items()
        )
        assert mean / test_lists == pytest.approx(overall["ndcg"])


def test_trained_model_beats_untrained_and_popularity(trained) -> None:
    from tunegraph.model.data.export import load_export
    from tunegraph.model.data.matrix import Csr
    from tunegraph.model.data.split import SplitSettings, split_playlists
    from tunegraph.model.evaluation.heldout import evaluate_heldout
    from tunegraph.model.pipeline.recommender import Recommender
    from tunegraph.model.pipeline.training import query_index_of
    from tunegraph.model.twotower.retrieval import (
        RetrievalConfig,
        build_model,
        candidate_embeddings,
    )

    data = load_export(trained.data_dir)
    split = split_playlists(data.playlist_tracks, SplitSettings(seed=1))
    t = data.tracks
    model = build_model(RetrievalConfig(), len(data.query_vocab), t)
    train = Csr(split.train_tracks, data.n_tracks)
    untrained = Recommender(
        RetrievalConfig(), model, candidate_embeddings(model, data.n_tracks), train, t
    )
    q = query_index_of(data, split.test.rows)
    before = evaluate_heldout(untrained, split.test, q, train, data.n_tracks, baselines=False).rows
    after = trained.result.metrics
    assert after["two-tower"]["recall@50"] > before["two-tower"]["recall@50"] + 0.1
    assert after["two-tower"]["recall@50"] > after["popularity"]["recall@50"]


def test_evaluate_reproduces_training_figures_and_draws(trained, tmp_path: Path) -> None:
    from tunegraph.model.api import EvalSettings, evaluate

    report = evaluate(
        EvalSettings(trained.model_dir, json_path=tmp_path / "e.json", plot_path=tmp_path / "e.png")
    )
    for name, values in report.rows.items():
        assert values == pytest.approx(trained.result.metrics[name], abs=1e-6)
    for category, rows in report.categories.items():
        for name, values in rows.items():
            assert values == pytest.approx(trained.result.categories[category][name], abs=1e-6)
    saved = json.loads((tmp_path / "e.json").read_text())
    assert saved["rows"].keys() == report.rows.keys()
    assert saved["categories"].keys() == trained.result.categories.keys()
    assert saved["category_playlists"] == trained.result.category_playlists
    assert (tmp_path / "e.png").stat().st_size > 1000


def test_recommend_for_playlist_and_tracks(trained) -> None:
    from tunegraph.model.api import recommend

    world = trained.world
    pid = next(iter(world.playlists))
    recs = recommend(trained.model_dir, playlist_id=pid, k=10)
    assert [r.rank for r in recs] == list(range(1, 11))
    assert not {r.track_id for r in recs} & set(world.playlists[pid])
    assert recs[0].name.startswith("Song") and recs[0].artists
    # a hand-written list of one genre's tracks gets mostly that genre back
    genre = 2
    seed = [t for t, g in world.genre_of_track.items() if g == genre][:8]
    recs = recommend(trained.model_dir, track_ids=seed, k=20)
    same = sum(world.genre_of_track[r.track_id] == genre for r in recs)
    assert same >= 12, same


def test_unknown_ids_and_bad_requests_are_clear_errors(trained) -> None:
    from tunegraph.model.api import recommend
    from tunegraph.model.errors import UnknownIdError

    with pytest.raises(UnknownIdError, match="unknown playlist 'nope'"):
        recommend(trained.model_dir, playlist_id="nope")
    with pytest.raises(UnknownIdError, match="unknown track id"):
        recommend(trained.model_dir, track_ids=["t000001", "zzz"])
    with pytest.raises(UnknownIdError, match="either"):
        recommend(trained.model_dir)


def test_model_refuses_other_data_and_missing_dirs(trained, tmp_path: Path) -> None:
    from tunegraph.model.api import EvalSettings, evaluate
    from tunegraph.model.errors import ModelDirError

    other = write_export_dir(tmp_path / "other", {"x1": ["a", "b", "c", "d"]})
    with pytest.raises(ModelDirError, match="trained on data with checksum"):
        evaluate(EvalSettings(trained.model_dir, data_dir=other))
    with pytest.raises(ModelDirError, match="not a tunegraph model directory"):
        evaluate(EvalSettings(tmp_path / "missing"))


def test_save_load_in_a_fresh_process_gives_identical_recommendations(trained) -> None:
    from tunegraph.model.api import recommend

    pid = list(trained.world.playlists)[5]
    here = [(r.track_id, round(r.score, 5)) for r in recommend(trained.model_dir, playlist_id=pid)]
    code = (
        "import json, sys; from tunegraph.model.api import recommend;"
        f"r = recommend({str(trained.model_dir)!r}, playlist_id={pid!r});"
        "print(json.dumps([(x.track_id, round(x.score, 5)) for x in r]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    there = [tuple(x) for x in json.loads(out.stdout.strip().splitlines()[-1])]
    assert there == here


def test_saved_index_answers_in_a_fresh_process(trained) -> None:
    seed = next(iter(trained.world.playlists.values()))[:5]
    code = (
        "import os; os.environ['TF_USE_LEGACY_KERAS'] = '1';"
        "import json, tensorflow as tf;"
        f"index = tf.saved_model.load({str(trained.model_dir / 'index')!r});"
        f"scores, ids = index(tf.constant([{seed!r}]));"
        "print(json.dumps([x.decode() for x in ids.numpy()[0][:10]]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    ids = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(ids) == 10
    genres = [trained.world.genre_of_track[t] for t in ids]
    main = max(set(genres), key=genres.count)
    assert genres.count(main) >= 6
    assert np.isfinite(len(ids))


def test_served_retrievers_know_held_out_playlists_whole_but_figures_do_not(trained) -> None:
    from tunegraph.model.api import _split_settings
    from tunegraph.model.data.export import load_export
    from tunegraph.model.data.split import split_playlists
    from tunegraph.model.pipeline.artifacts import load_model

    loaded = load_model(trained.model_dir)
    data = load_export(trained.data_dir)
    split = split_playlists(data.playlist_tracks, _split_settings(loaded.config["split"]))
    scored = loaded.evaluation_recommender()
    for row, seed in zip(split.test.rows, split.test.seeds, strict=True):
        assert len(loaded.recommender.train.row(row)) == len(data.playlist_tracks[row])
        assert list(scored.train.row(row)) == list(seed)
    assert loaded.recommender.als is not None and scored.als is not None
    assert not np.allclose(loaded.recommender.als.item_factors, scored.als.item_factors)


def test_no_title_categories_never_show_the_title_to_the_pipeline(trained) -> None:
    """Any name given for a "first 5" / "first 10" list leaves its figures alone; names
    do reach the lists whose category shows the title (so the check has teeth)."""
    from tunegraph.model.api import _split_settings
    from tunegraph.model.data.export import load_export
    from tunegraph.model.data.split import split_playlists
    from tunegraph.model.evaluation.heldout import PIPELINE, evaluate_heldout
    from tunegraph.model.pipeline.artifacts import load_model
    from tunegraph.model.pipeline.training import query_index_of

    loaded = load_model(trained.model_dir)
    data = load_export(trained.data_dir)
    split = split_playlists(data.playlist_tracks, _split_settings(loaded.config["split"]))
    test = split.test
    q = query_index_of(data, test.rows)
    held_out = set(test.rows) | set(split.val.rows)
    decoy = next(r for r in range(len(data.playlist_names)) if r not in held_out)

    def scored(poisoned: set[bool]) -> dict:  # poisoned: shows_title values to poison
        names = list(data.playlist_names)
        for row, shows in zip(test.rows, test.shows_title, strict=True):
            if bool(shows) in poisoned:
                names[row] = data.playlist_names[decoy]  # another playlist's exact name
        rec = loaded.evaluation_recommender()
        scores = evaluate_heldout(rec, test, q, rec.train, data.n_tracks, False, names)
        return {c: rows[PIPELINE] for c, rows in scores.categories.items()}

    honest, blind = scored(set()), scored({False})
    for category in ("first 5", "first 10"):
        assert blind[category] == honest[category]
    misled = scored({True})
    assert any(misled[c] != honest[c] for c in honest if c not in ("first 5", "first 10"))
