"""Batch recommendation (`tunegraph recommend --all | --playlists`) on the session's tiny model."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from support.cli_checks import assert_one_line_error
from tunegraph.cli.main import cli
from tunegraph.model.data.matrix import Csr
from tunegraph.model.serving.batch import BatchSettings, recommend_batch, resolve, top_up
from tunegraph.model.serving.batch_io import BatchFileError, read_requests

pytestmark = pytest.mark.tensorflow  # imports or trains TensorFlow models

URI = "spotify:track:"


@pytest.fixture(scope="module")
def loaded(trained):
    from tunegraph.model.pipeline.artifacts import load_model

    return load_model(trained.model_dir)


def _run(loaded, out: Path, playlists: Path | None = None, **kw):
    settings = BatchSettings(loaded.path, out, playlists_file=playlists, **kw)
    return recommend_batch(settings, loaded=loaded)


def _lists(frame: pd.DataFrame) -> dict[str, list[str]]:
    frame = frame.sort_values(["playlist_id", "rank"])
    return {str(p): list(g["track_id"]) for p, g in frame.groupby("playlist_id")}


def _recsys(path: Path) -> tuple[str, dict[str, list[str]]]:
    head, *lines = path.read_text().splitlines()
    rows = [line.split(", ") for line in lines]
    return head, {r[0]: r[1:] for r in rows}


def test_the_model_keeps_playlist_titles(loaded, trained) -> None:
    pid = next(iter(trained.world.playlists))
    assert loaded.playlist_names[loaded.playlist_ids.index(pid)] == f"Playlist {pid}"


def test_recommend_lists_contract(loaded, trained) -> None:
    rec = loaded.recommender
    index = {t: i + 1 for i, t in enumerate(rec.tracks.ids)}
    seed = np.array([index[t] for t in next(iter(trained.world.playlists.values()))], np.int32)
    lists = rec.recommend_lists([seed, np.zeros(0, np.int32)], ["rock", "only a title"], 30)
    assert lists.shape == (2, 30) and lists.dtype == np.int32
    assert len(set(lists[0])) == 30 and not set(lists[0]) & set(seed) and 0 not in lists[0]
    assert lists[1].min() >= 0 and lists[1].max() <= len(rec.tracks.ids)


def test_all_covers_every_playlist_through_the_cli(trained, tmp_path: Path) -> None:
    out = tmp_path / "recs.csv"
    result = CliRunner().invoke(
        cli,
        ["recommend", "--model", str(trained.model_dir), "--all", "--k", "40", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert f"for {len(trained.world.playlists)} playlists" in result.stdout
    frame = pd.read_csv(out, dtype={"playlist_id": str, "track_id": str})
    assert list(frame.columns) == ["playlist_id", "track_id", "rank"]
    lists = _lists(frame)
    assert set(lists) == set(trained.world.playlists)
    for pid, tracks in lists.items():
        assert len(tracks) == len(set(tracks)) == 40
        assert not set(tracks) & set(trained.world.playlists[pid])
    assert sorted(frame["rank"].unique()) == list(range(1, 41))


def test_id_list_csv_to_parquet_warns_about_unknown_ids(loaded, trained, tmp_path: Path) -> None:
    known = list(trained.world.playlists)[:2]
    src = tmp_path / "ids.csv"
    src.write_text("playlist_id\n" + "\n".join([known[0], "nope", known[1], known[0]]) + "\n")
    result = _run(loaded, tmp_path / "out.parquet", src, k=25)
    assert result.playlists == 2 and result.out_format == "parquet"
    assert any(
        "playlist nope" in w and "not a playlist the model knows" in w for w in result.warnings
    )
    assert any(f"playlist {known[0]}: listed more than once" in w for w in result.warnings)
    lists = _lists(pd.read_parquet(tmp_path / "out.parquet"))
    assert set(lists) == set(known) and all(len(v) == 25 for v in lists.values())


def _challenge(world, path: Path) -> dict[str, list[str]]:
    """A challenge-set-shaped file: seeds, title only, partly and wholly unknown tracks."""
    tracks = list(world.playlists.values())
    seeds = {
        "1000002": tracks[0][:5],
        "1000003": [],
        "1000004": [*tracks[1][:3], "unknownA", "unknownB"],
        "1000005": ["unknownC"],
        "1000006": tracks[2][:1],
    }
    entries = [
        {"pid": int(pid), "name": f"list {pid}", "tracks": [{"track_uri": URI + t} for t in ts]}
        for pid, ts in seeds.items()
    ]
    del entries[-1]["name"]  # a name is optional
    path.write_text(json.dumps({"date": "2018-01-16", "version": "v1", "playlists": entries}))
    return seeds


def test_challenge_set_to_a_recsys2018_submission(trained, tmp_path: Path) -> None:
    src, out = tmp_path / "challenge_set.json", tmp_path / "submission.csv"
    seeds = _challenge(trained.world, src)
    args = ["recommend", "--model", str(trained.model_dir), "--playlists", str(src)]
    args += ["--k", "100", "--format", "recsys2018", "--team", "wolves", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "warning: playlist 1000004: 2 of its 5 tracks unknown" in result.stderr
    assert "warning: playlist 1000005: none of its 1 tracks" in result.stderr
    head, rows = _recsys(out)
    assert head == "team_info,wolves,tunegraph@example.com"
    assert list(rows) == list(seeds)
    for pid, uris in rows.items():
        assert len(uris) == len(set(uris)) == 100
        assert all(u.startswith(URI) for u in uris)
        assert not {u[len(URI) :] for u in uris} & set(seeds[pid])


def test_name_only_and_unknown_seeds_get_popularity(loaded, trained, tmp_path: Path) -> None:
    src = tmp_path / "c.json.gz"
    plain = tmp_path / "c.json"
    _challenge(trained.world, plain)
    src.write_bytes(gzip.compress(plain.read_bytes()))
    result = _run(loaded, tmp_path / "o.csv", src, k=10)
    lists = _lists(pd.read_csv(tmp_path / "o.csv", dtype=str).astype({"rank": int}))
    counts = loaded.recommender.train.counts[1:]
    popular = [loaded.tracks.ids[i] for i in np.argsort(-counts, kind="stable")[:10]]
    assert lists["1000003"] == popular == lists["1000005"]
    assert result.playlists == 5
    by_popularity = [w for w in result.warnings if "answered by popularity" in w]
    assert any(w.startswith("playlist 1000003: the model knows none") for w in by_popularity)
    assert not any(w.startswith("playlist 1000002:") for w in result.warnings)  # known seeds


def test_jsonl_with_ids_uris_and_known_playlists(loaded, trained, tmp_path: Path) -> None:
    pid, tracks = next(iter(trained.world.playlists.items()))
    src = tmp_path / "req.jsonl"
    lines = [
        {"playlist_id": pid, "tracks": []},  # a known playlist: its own tracks are the seed
        {"pid": 7, "name": "fresh", "tracks": [URI + tracks[0], tracks[1]]},
    ]
    src.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n")
    result = _run(loaded, tmp_path / "o.parquet", src, k=20)
    assert result.warnings == [] and result.playlists == 2
    lists = _lists(pd.read_parquet(tmp_path / "o.parquet"))
    assert not set(lists[pid]) & set(tracks)
    assert not set(lists["7"]) & set(tracks[:2]) and len(lists["7"]) == 20


def test_top_up_fills_what_retrieval_leaves(loaded, trained, tmp_path: Path, monkeypatch) -> None:
    rec = loaded.recommender
    real = rec.recommend_lists
    monkeypatch.setattr(rec, "recommend_lists", lambda s, n, k: real(s, n, 3)[:, :3])
    k = 400 - 30  # every playlist can still be filled: the longest holds 30 tracks
    result = _run(loaded, tmp_path / "o.csv", None, k=k)
    assert result.short == 0
    lists = _lists(pd.read_csv(tmp_path / "o.csv", dtype=str).astype({"rank": int}))
    for pid, got in lists.items():
        assert len(got) == len(set(got)) == k
        assert not set(got) & set(trained.world.playlists[pid])


def test_a_catalogue_smaller_than_k_gives_short_lists_and_a_warning(loaded, tmp_path) -> None:
    result = _run(loaded, tmp_path / "o.csv", None, k=395)
    assert result.short > 0
    assert any("fewer than 395 tracks" in w for w in result.warnings)


def test_top_up_drops_seeds_duplicates_and_bad_indices() -> None:
    popular = np.array([5, 3, 1, 2, 4, 6, 7, 8, 9, 10])
    lists = np.array([[7, 7, 5, 0], [0, 0, 0, 0], [2, 99, -1, 3]])
    seeds = [np.array([3]), np.zeros(0, np.int32), np.array([5, 3, 1, 2])]
    out = top_up(lists, seeds, popular, 6)
    assert out.tolist() == [[7, 5, 1, 2, 4, 6], [5, 3, 1, 2, 4, 6], [4, 6, 7, 8, 9, 10]]


def test_an_mpd_pid_maps_to_its_imported_playlist() -> None:
    model = SimpleNamespace(
        tracks=SimpleNamespace(ids=["a", "b", "c", "d"]),
        playlist_ids=["mpd:12", "x"],
        playlist_names=["road trip", "other"],
        playlists=Csr([np.array([1, 2], np.int32), np.array([4], np.int32)], 4),
    )
    from tunegraph.model.serving.batch_io import RawRequest

    warnings: list[str] = []
    req = resolve([RawRequest("12", "", ("c",), False)], model, warnings)
    assert req.ids == ["12"] and req.names == ["road trip"] and warnings == []
    assert req.seeds[0].tolist() == [3, 1, 2]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("empty.json", "", "is empty"),
        ("empty.txt", "\n\n", "is empty"),
        ("bad.json", "{not json", "not JSON"),
        ("shape.json", '{"x": 1}', "not a challenge set"),
        ("bad.jsonl", '{"pid": 1}\n{oops\n', "line 2 is not JSON"),
        ("requests.xml", "<x/>", "unknown request format"),
    ],
)
def test_bad_request_files_are_one_error(tmp_path: Path, name: str, text: str, message: str):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(BatchFileError, match=message):
        read_requests(path)


def test_an_empty_file_is_one_line_through_the_cli(trained, tmp_path: Path) -> None:
    src = tmp_path / "challenge_set.json"
    src.write_text("")
    out = tmp_path / "sub.csv"
    result = CliRunner().invoke(
        cli,
        [
            "recommend",
            "--model",
            str(trained.model_dir),
            "--playlists",
            str(src),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 1
    assert "is empty" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def test_a_crash_leaves_no_half_written_file(loaded, tmp_path: Path, monkeypatch) -> None:
    rec = loaded.recommender
    real, calls = rec.recommend_lists, []

    def failing(seeds, names, k):
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("boom")
        return real(seeds, names, k)

    monkeypatch.setattr(rec, "recommend_lists", failing)
    out = tmp_path / "o.csv"
    with pytest.raises(RuntimeError):
        _run(loaded, out, None, k=5, chunk=100)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--all", "--playlist", "p1", "--out", "x.csv"], "exactly one"),
        (["--all"], "give --out FILE"),
        (["--playlist", "p1", "--out", "x.csv"], "--out is for --all or --playlists"),
        (["--all", "--out", "x.csv", "--json"], "--json is for one playlist"),
    ],
)
def test_batch_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["recommend", "--model", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_output_format_from_the_suffix(loaded, tmp_path: Path) -> None:
    with pytest.raises(BatchFileError, match="cannot tell the output format"):
        _run(loaded, tmp_path / "o.txt", None, k=5)
    with pytest.raises(BatchFileError, match="without commas"):
        _run(loaded, tmp_path / "o.csv", None, k=5, out_format="recsys2018", team="a,b")
    assert list(tmp_path.iterdir()) == []


def test_an_id_tower_model_is_refused_in_one_line(toy_data_dir: Path, tmp_path: Path) -> None:
    from tunegraph.model.api import TrainSettings, train

    model = tmp_path / "m"
    train(
        TrainSettings(
            toy_data_dir, model, epochs=1, query_tower="id", ranker="none",
            save_index=False, threads=2,
        )
    )  # fmt: skip
    out = tmp_path / "o.csv"
    args = ["recommend", "--model", str(model), "--all", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "retrain with --query-tower pooled" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not out.exists()


def test_an_out_file_that_cannot_be_written_is_one_line(trained, tmp_path: Path) -> None:
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    (tmp_path / "link.csv").symlink_to(afile)
    for out, message in [
        ("/proc/tunegraph-recs.csv", "cannot write to /proc/tunegraph-recs.csv"),
        (str(afile / "recs.csv"), "file.txt is a file, not a folder"),
        (str(tmp_path / "link.csv"), "symbolic link"),
    ]:
        args = ["recommend", "--model", str(trained.model_dir), "--all", "--out", out]
        result = CliRunner().invoke(cli, args)
        output = result.output.strip()
        assert result.exit_code == 1 and message in output, output
        assert len(output.splitlines()) == 1 and "Traceback" not in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt", "link.csv"]
    assert afile.read_text() == "x"


def test_out_onto_the_input_or_into_the_model_is_refused(trained, tmp_path: Path) -> None:
    requests = tmp_path / "challenge.json"
    requests.write_text(json.dumps({"playlists": [{"pid": 1, "name": "x", "tracks": []}]}))
    model_file = trained.model_dir / "tracks.json"
    before = model_file.read_bytes()
    for out, message in [
        (requests, "this command's input"),
        (model_file, "inside the output of `tunegraph train`"),
    ]:
        args = ["recommend", "--model", str(trained.model_dir), "--playlists", str(requests)]
        result = CliRunner().invoke(cli, [*args, "--out", str(out), "--format", "csv"])
        output = result.output.strip()
        assert result.exit_code == 1 and message in output, output
        assert len(output.splitlines()) == 1
    assert model_file.read_bytes() == before and "playlists" in requests.read_text()


def test_a_gzipped_submission_and_one_pid_twice(trained, tmp_path: Path) -> None:
    src, out = tmp_path / "challenge_set.json", tmp_path / "sub.csv.gz"
    seeds = _challenge(trained.world, src)
    args = ["recommend", "--model", str(trained.model_dir), "--k", "10", "--format", "recsys2018"]
    result = CliRunner().invoke(cli, [*args, "--playlists", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    with gzip.open(out, "rt") as stream:
        lines = stream.read().splitlines()
    assert lines[0] == "team_info,tunegraph,tunegraph@example.com"
    assert [line.split(", ")[0] for line in lines[1:]] == list(seeds)
    twice = tmp_path / "twice.jsonl"
    twice.write_text('{"pid": "mpd:5", "name": "a"}\n{"pid": 5, "name": "b"}\n')
    result = CliRunner().invoke(
        cli, [*args, "--playlists", str(twice), "--out", str(tmp_path / "twice.csv")]
    )
    assert_one_line_error(result, "playlists mpd:5 and 5 are both pid 5")
    assert not (tmp_path / "twice.csv").exists()


def test_file_and_option_mistakes_come_before_the_model_loads(tmp_path: Path) -> None:
    from tunegraph.outputs import OutputError

    not_a_model = tmp_path / "no-model"  # loading it would fail: the mistake must come first
    empty, fifo = tmp_path / "empty.json", tmp_path / "fifo.csv"
    empty.write_text("")
    os.mkfifo(fifo)
    requests = tmp_path / "ids.txt"
    requests.write_text("p1\n")
    for settings, error, message in [
        (BatchSettings(not_a_model, tmp_path / "o.csv", empty), BatchFileError, "is empty"),
        (
            BatchSettings(not_a_model, tmp_path / "o.csv", requests, out_format="recsys2018",
                          team="a,b"),
            BatchFileError,
            "without commas",
        ),
        (BatchSettings(not_a_model, fifo, requests), OutputError, "FIFO"),
    ]:  # fmt: skip
        with pytest.raises(error, match=message):
            recommend_batch(settings)
