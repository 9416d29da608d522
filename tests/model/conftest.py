"""Shared tiny data and one trained tiny model for the whole model test session."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.toy_world import ToyWorld, genre_world
from tunegraph.testing.export_dir import write_export_dir


@dataclass(frozen=True)
class TrainedModel:
    data_dir: Path
    model_dir: Path
    world: ToyWorld
    result: object  # tunegraph.model.api.TrainResult


@pytest.fixture(scope="session")
def session_dir() -> Iterator[Path]:
    """Our own temp root: other test sessions on this host prune pytest's shared basetemp."""
    root = Path(tempfile.mkdtemp(prefix="tunegraph-model-tests-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def toy_world() -> ToyWorld:
    return genre_world(playlists=300, tracks=400, genres=6, length=(8, 30), seed=3)


@pytest.fixture(scope="session")
def toy_data_dir(session_dir: Path, toy_world: ToyWorld) -> Path:
    root = session_dir / "export"
    return write_export_dir(root, toy_world.playlists, toy_world.tracks_meta, shard_rows=2000)


@pytest.fixture(scope="session")
def trained(session_dir: Path, toy_data_dir: Path, toy_world: ToyWorld) -> TrainedModel:
    from tunegraph.model.api import TrainSettings, train

    model_dir = session_dir / "model"
    settings = TrainSettings(
        data_dir=toy_data_dir, model_dir=model_dir, epochs=4, batch_size=256, threads=2, seed=1
    )
    result = train(settings)
    return TrainedModel(toy_data_dir, model_dir, toy_world, result)
