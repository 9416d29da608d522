"""`tunegraph train | evaluate | recommend` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from tunegraph.cli.main import cli

pytestmark = pytest.mark.tensorflow  # imports or trains TensorFlow models


@pytest.mark.parametrize("command", ["train", "evaluate", "recommend"])
def test_help_has_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_evaluate_prints_the_table_and_writes_json(trained, tmp_path: Path) -> None:
    out = tmp_path / "eval.json"
    result = CliRunner().invoke(
        cli, ["evaluate", "--model", str(trained.model_dir), "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    for row in ("tunegraph", "ALS", "EASE", "co-occurrence", "popularity"):
        assert row in result.output, row
    assert "ndcg" in result.output and "clicks" in result.output
    rows = json.loads(out.read_text())["rows"]
    assert {"tunegraph", "two-tower", "ALS", "EASE", "co-occurrence", "popularity"} <= set(rows)


def test_recommend_table_and_json(trained) -> None:
    pid = next(iter(trained.world.playlists))
    result = CliRunner().invoke(
        cli,
        ["recommend", "--model", str(trained.model_dir), "--playlist", pid, "--k", "5", "--json"],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert {"track_id", "name", "artists", "score"} <= set(rows[0])
    tracks = ",".join(trained.world.playlists[pid][:3])
    result = CliRunner().invoke(
        cli, ["recommend", "--model", str(trained.model_dir), "--tracks", tracks, "--k", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "Song" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--playlist", "nope"], "unknown playlist 'nope'"),
        (["--tracks", "zzz"], "unknown track id(s): zzz"),
    ],
)
def test_recommend_errors_are_one_line(trained, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["recommend", "--model", str(trained.model_dir), *args])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_recommend_needs_exactly_one_source(trained) -> None:
    result = CliRunner().invoke(cli, ["recommend", "--model", str(trained.model_dir)])
    assert result.exit_code == 2
    assert "exactly one" in result.output


def test_train_on_a_bad_dir_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["train", "--data", str(tmp_path), "--out", str(tmp_path / "m")]
    )
    assert result.exit_code == 1
    assert "no manifest.json" in result.output


def test_train_command_end_to_end(toy_data_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "train",
            "--data",
            str(toy_data_dir),
            "--out",
            str(tmp_path / "m"),
            "--epochs",
            "1",
            "--query-tower",
            "id",
            "--ranking",
            "none",
            "--threads",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "test R-precision" in result.output
    assert (tmp_path / "m" / "config.json").is_file()


def test_recommend_saves_the_list_as_a_spotify_playlist(spotify_simulator, tmp_path: Path) -> None:
    from support.export_data import write_export_dir
    from tunegraph.model.api import TrainSettings, train

    sim = spotify_simulator
    playlists = {p.id: list(p.track_ids) for p in sim.world.playlists.values() if p.track_ids}
    data = write_export_dir(tmp_path / "data", playlists)
    model = tmp_path / "model"
    train(
        TrainSettings(data, model, epochs=1, ranking_objective="none", save_index=False, threads=2)
    )
    pid = next(p for p, tracks in playlists.items() if len(tracks) >= 5)
    user = next(iter(sim.world.users))
    result = CliRunner().invoke(
        cli,
        [
            "recommend",
            "--model",
            str(model),
            "--playlist",
            pid,
            "--k",
            "7",
            "--json",
            "--save-playlist",
            "tunegraph picks",
            "--api-url",
            sim.api_url,
        ],
        env={"SPOTIFY_ACCESS_TOKEN": sim.token(user_id=user)},
    )
    assert result.exit_code == 0, result.output
    recs = json.loads(result.stdout)
    saved_id = result.stderr.split("saved as playlist ")[1].split()[0]
    created = sim.state.created[saved_id]
    assert created.owner_id == user and created.name == "tunegraph picks"
    assert list(created.track_ids) == [r["track_id"] for r in recs]


def test_save_playlist_without_a_token_is_one_line(trained) -> None:
    pid = next(iter(trained.world.playlists))
    result = CliRunner().invoke(
        cli,
        ["recommend", "--model", str(trained.model_dir), "--playlist", pid, "--save-playlist", "x"],
        env={"SPOTIFY_ACCESS_TOKEN": ""},
    )
    assert result.exit_code == 1
    assert "needs a user token" in result.output


def test_recommend_tracks_with_a_name_and_name_misuse(trained) -> None:
    seed = list(next(iter(trained.world.playlists.values()))[:4])
    base = ["recommend", "--model", str(trained.model_dir), "--k", "5", "--json"]
    result = CliRunner().invoke(cli, [*base, "--tracks", ",".join(seed), "--name", "rock"])
    assert result.exit_code == 0, result.output
    recs = json.loads(result.output)
    assert len(recs) == 5 and not {r["track_id"] for r in recs} & set(seed)
    pid = next(iter(trained.world.playlists))
    result = CliRunner().invoke(cli, [*base, "--playlist", pid, "--name", "rock"])
    assert result.exit_code == 2 and "--name goes with --tracks" in result.output


def _known_tracks(trained) -> list[str]:
    from tunegraph.model.api import load_model

    return list(load_model(trained.model_dir).recommender.tracks.ids)


def test_recommend_for_every_known_track_says_nothing_is_left(trained) -> None:
    tracks = ",".join(_known_tracks(trained))
    for extra in ([], ["--json"]):
        result = CliRunner().invoke(
            cli, ["recommend", "--model", str(trained.model_dir), "--tracks", tracks, *extra]
        )
        assert result.exit_code == 1, result.output
        assert "nothing left to recommend" in result.output
        assert "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_recommend_gives_whatever_is_left(trained) -> None:
    known = _known_tracks(trained)
    tracks = ",".join(known[2:])
    result = CliRunner().invoke(
        cli,
        ["recommend", "--model", str(trained.model_dir), "--tracks", tracks, "--k", "20", "--json"],
    )
    assert result.exit_code == 0, result.output
    assert sorted(r["track_id"] for r in json.loads(result.output)) == sorted(known[:2])


def test_ranker_scores_with_no_candidate(trained) -> None:
    from tunegraph.model.api import load_model
    from tunegraph.model.candidates import FEATURES
    from tunegraph.model.ranking import ranker_scores

    ranker = load_model(trained.model_dir).recommender.ranker
    assert ranker is not None
    for queries in (0, 1, 3):
        x = np.zeros((queries, 0, len(FEATURES)), np.float32)
        scores = ranker_scores(ranker, x, np.zeros((queries, 0), bool))
        assert scores.shape == (queries, 0)
