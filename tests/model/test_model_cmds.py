"""`tunegraph train | evaluate | recommend` through click's CliRunner."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from support.cli_checks import assert_one_line_error
from tunegraph import export_format as F
from tunegraph.cli.main import cli
from tunegraph.testing.export_dir import write_export_dir

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
    saved = json.loads(out.read_text())
    rows = saved["rows"]
    assert {"tunegraph", "two-tower", "ALS", "EASE", "co-occurrence", "popularity"} <= set(rows)
    assert "per challenge category" in result.output and "title only" in result.output
    assert "first 5" in saved["categories"] and "title only" in saved["categories"]
    assert set(saved["categories"]["first 5"]) == set(rows)
    assert sum(saved["category_playlists"].values()) == saved["playlists"]


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


def test_recommend_explain_as_json_and_as_a_table(trained) -> None:
    pid = list(trained.world.playlists)[2]
    base = ["recommend", "--model", str(trained.model_dir), "--playlist", pid, "--k", "4"]
    result = CliRunner().invoke(cli, [*base, "--explain", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    because = rows[0]["because"]
    assert because["retrievers"] and because["params"]["track"] == rows[0]["track_id"]
    assert {"shared_seeds", "same_artist", "same_album", "same_title", "cypher"} <= set(because)
    table = CliRunner().invoke(cli, [*base, "--explain"], env={"COLUMNS": "400"})
    assert table.exit_code == 0, table.output
    assert "because" in table.output and "tunegraph query" in table.output
    first = because["shared_seeds"][0]
    assert f'{first["playlists"]} playlist(s) with "{first["name"]}"' in table.output
    batch = CliRunner().invoke(
        cli, ["recommend", "--model", str(trained.model_dir), "--all", "--out", "x.csv",
              "--explain"],
    )  # fmt: skip
    assert batch.exit_code == 2 and "--explain is for one playlist" in batch.output


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
            "--ranker",
            "none",
            "--threads",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "test R-precision" in result.output
    assert (tmp_path / "m" / "config.json").is_file()
    # not a terminal (a log file): a line per stage and epoch, not 4 minutes of silence
    assert "[train] epoch 1/1: loss" in result.output
    assert "[train] " in result.output.split("[train] epoch")[0]


def test_recommend_saves_the_list_as_a_spotify_playlist(spotify_simulator, tmp_path: Path) -> None:
    from tunegraph.model.api import TrainSettings, train
    from tunegraph.testing.export_dir import write_export_dir

    sim = spotify_simulator
    playlists = {p.id: list(p.track_ids) for p in sim.world.playlists.values() if p.track_ids}
    data = write_export_dir(tmp_path / "data", playlists)
    model = tmp_path / "model"
    train(TrainSettings(data, model, epochs=1, ranker="none", save_index=False, threads=2))
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


def test_train_on_an_export_that_lost_rows_is_one_line(tmp_path: Path) -> None:
    """Issue #14 item 12: the part file lost half its rows, and train exited 0."""
    data = write_export_dir(tmp_path / "data", {f"p{i}": list("abcdefgh") for i in range(20)})
    part = data / F.INTERACTIONS_DIR / "part-00000.parquet"
    pq.write_table(pq.read_table(part).slice(0, 80), part)
    result = CliRunner().invoke(cli, ["train", "--data", str(data), "--out", str(tmp_path / "m")])
    assert_one_line_error(result, "part-00000.parquet hold(s) 80 interactions row(s)")
    assert "manifest.json records 160" in result.output and not (tmp_path / "m").exists()


def test_train_refuses_an_out_it_may_not_replace(toy_data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    (tmp_path / "link").symlink_to(tmp_path / "mine")
    for out, message in [
        (tmp_path / "mine", "did not write (notes.txt)"),
        (tmp_path / "mine" / "notes.txt" / "m", "notes.txt is a file, not a folder"),
        (tmp_path / "link", "symbolic link"),
        (toy_data_dir, "did not write"),  # the export itself (older exports carry no marker)
    ]:
        result = CliRunner().invoke(cli, ["train", "--data", str(toy_data_dir), "--out", str(out)])
        assert_one_line_error(result, message)
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["notes.txt"]


def _tree(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*")}


def _written_after(root: Path, name: str, since_ns: int) -> bool:
    return any(p.stat().st_mtime_ns > since_ns for p in root.rglob(name) if p.is_file())


def test_a_retrain_killed_while_saving_leaves_the_old_model(trained, tmp_path: Path) -> None:
    """Issue #14 item 3: model files were written in place, so a retrain stopped after the
    new weights left them beside the old settings (another --embedding-dim: no model)."""
    from tunegraph.model.api import recommend
    from tunegraph.outputs import recover

    model = tmp_path / "model"
    shutil.copytree(trained.model_dir, model)
    pid = next(iter(trained.world.playlists))
    before = [(r.track_id, r.score) for r in recommend(model, playlist_id=pid)]
    files = _tree(model)
    args = ["train", "--data", str(trained.data_dir), "--out", str(model), "--epochs", "1",
            "--embedding-dim", "8", "--ranker", "none", "--threads", "2"]  # fmt: skip
    code = "import sys; from tunegraph.cli.main import cli; sys.exit(cli())"
    since = time.time_ns()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stderr=subprocess.DEVNULL)
    try:
        while proc.poll() is None and not _written_after(tmp_path, "weights.index", since):
            time.sleep(0.002)
        os.kill(proc.pid, signal.SIGKILL)  # right after the new retrieval weights
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "train ended before its weights were seen"
    assert _tree(model) == files
    assert [(r.track_id, r.score) for r in recommend(model, playlist_id=pid)] == before
    recover(model)  # the next writer clears what the killed one left beside the model
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


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
    from tunegraph.model.ranker.candidates import FEATURES
    from tunegraph.model.ranker.tfrs import ranker_scores

    ranker = load_model(trained.model_dir).recommender.ranker
    assert ranker is not None
    for queries in (0, 1, 3):
        x = np.zeros((queries, 0, len(FEATURES)), np.float32)
        scores = ranker_scores(ranker, x, np.zeros((queries, 0), bool))
        assert scores.shape == (queries, 0)
