"""`load_model` reads one model folder whole, even while `train --out` swaps another in."""

from __future__ import annotations

import hashlib
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from support.toy_world import genre_world
from tunegraph.outputs import MARKER, publish_dir
from tunegraph.testing.export_dir import write_export_dir

pytestmark = pytest.mark.tensorflow  # trains and loads TensorFlow models


def _fingerprint(loaded) -> tuple[object, ...]:
    """What identifies a model: its data, vocabulary, arrays, weights and config."""
    digest = hashlib.sha256()
    for part in (
        loaded.recommender.candidates,
        loaded.playlist_query,
        *(np.asarray(w) for w in loaded.recommender.model.get_weights()),
    ):
        digest.update(np.ascontiguousarray(part).tobytes())
    digest.update("\n".join(loaded.tracks.ids + loaded.playlist_ids).encode())
    return (
        loaded.config["data_checksum"],
        loaded.manifest.get("graph_checksum"),
        bool(loaded.config.get("ranking")),
        digest.hexdigest(),
    )


def _copy_model(source: Path, staging: Path) -> None:
    shutil.copytree(
        source, staging, dirs_exist_ok=True, ignore=shutil.ignore_patterns(MARKER, "index")
    )


def test_a_swap_during_load_gives_the_old_or_the_new_model_whole(trained, tmp_path: Path) -> None:
    from tunegraph.model.api import TrainSettings, train
    from tunegraph.model.pipeline.artifacts import load_model

    world = genre_world(playlists=80, tracks=120, genres=3, length=(5, 15), seed=5)
    data = write_export_dir(tmp_path / "data", world.playlists, world.tracks_meta)
    other = tmp_path / "other"
    train(TrainSettings(data, other, epochs=1, ranker="none", save_index=False, threads=2))
    models = (Path(trained.model_dir), other)
    expected = {_fingerprint(load_model(m)) for m in models}
    assert len(expected) == 2
    target = tmp_path / "model"
    with publish_dir(target, "train") as staging:
        _copy_model(models[0], staging)
    stop, swaps = threading.Event(), [0]

    def swapper() -> None:  # `train --out target`, again and again, each model in turn
        while not stop.is_set():
            with publish_dir(target, "train") as staging:
                _copy_model(models[(swaps[0] + 1) % 2], staging)
            swaps[0] += 1

    thread = threading.Thread(target=swapper, daemon=True)
    thread.start()
    loads = 0
    try:
        while loads < 4 or (swaps[0] < 4 and loads < 40):
            assert _fingerprint(load_model(target)) in expected  # never a mix
            loads += 1
    finally:
        stop.set()
        thread.join()
    assert swaps[0] >= 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "model", "other"]


def test_a_truncated_arrays_file_is_one_line_in_recommend_and_evaluate(
    trained, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from support.cli_checks import assert_one_line_error
    from tunegraph.cli.main import cli

    model = tmp_path / "model"
    shutil.copytree(trained.model_dir, model, ignore=shutil.ignore_patterns("index"))
    arrays = model / "arrays.npz"
    arrays.write_bytes(arrays.read_bytes()[: arrays.stat().st_size // 2])
    pid = next(iter(trained.world.playlists))
    for args in (["recommend", "--playlist", pid], ["evaluate"]):
        result = CliRunner().invoke(cli, [*args, "--model", str(model)])
        assert_one_line_error(result, f"cannot read {model}/arrays.npz", "train it again")


def test_a_copy_over_other_retriever_state_never_serves_stale_retrievers(trained) -> None:
    """Issue 22: copies reset a private cache by hand (``_retrievers=None``); forgetting it
    served retrievers fitted on the other matrix."""
    from dataclasses import replace

    from tunegraph.model.pipeline.artifacts import load_model

    loaded = load_model(trained.model_dir)
    serving = loaded.recommender
    assert serving.retrievers().train is loaded.playlists  # every playlist
    scored = loaded.evaluation_recommender()
    assert scored.retrievers().train is loaded.train and scored.retrievers().als is loaded.als_train
    careless = replace(serving, train=loaded.train, als=loaded.als_train)  # cache copied along
    assert careless.retrievers().train is loaded.train
    assert serving.retrievers().train is loaded.playlists  # the original keeps its own
    ranked = replace(serving, ranker=None)  # same matrix and ALS: the built ones are reused
    assert ranked.retrievers() is serving.retrievers()
