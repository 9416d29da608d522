"""The Python API: ``tunegraph.load_model`` and its ``Model``."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

import tunegraph
from tunegraph.model.errors import NothingLeftError, RequestError, UnknownIdError


class NoScan(list):  # type: ignore[type-arg]
    """A list that fails the test when searched or walked: the look-ups must be prebuilt."""

    def __iter__(self) -> Any:
        raise AssertionError("a request scanned the whole list")

    def index(self, *args: Any) -> int:
        raise AssertionError("a request searched the whole list")


@pytest.fixture(scope="module")
def model(trained) -> Any:
    return tunegraph.load_model(trained.model_dir)


def test_recommend_matches_the_cli_path(trained, model) -> None:
    from tunegraph.model.api import recommend

    pid = list(trained.world.playlists)[3]
    mine = model.recommend(playlist=pid, k=10)
    assert [r.rank for r in mine] == list(range(1, 11))
    assert not {r.track_id for r in mine} & set(trained.world.playlists[pid])
    assert mine == recommend(trained.model_dir, playlist_id=pid, k=10)
    assert isinstance(mine[0], tunegraph.Recommendation) and mine[0].artists


def test_a_request_scans_neither_catalogue_nor_playlist_list(trained, model) -> None:
    """Issue 21: each call rebuilt a track index of the catalogue and searched the playlists."""
    pid = list(trained.world.playlists)[4]
    seed = trained.world.playlists[pid][:5]
    expected = (model.recommend(playlist=pid, k=5), model.recommend(tracks=seed, k=5))
    loaded = model.loaded
    ids, playlist_ids = loaded.tracks.ids, loaded.playlist_ids
    object.__setattr__(loaded.tracks, "ids", NoScan(ids))
    loaded.playlist_ids = NoScan(playlist_ids)
    try:
        assert (model.recommend(playlist=pid, k=5), model.recommend(tracks=seed, k=5)) == expected
    finally:
        object.__setattr__(loaded.tracks, "ids", ids)
        loaded.playlist_ids = playlist_ids


def test_recommend_many_answers_each_request_as_alone(trained, model) -> None:
    pids = list(trained.world.playlists)[:3]
    seed = trained.world.playlists[pids[0]][:4]
    requests: list[Any] = [
        tunegraph.Request(playlist=pids[1]),
        {"tracks": seed},
        tunegraph.Request(playlist=pids[2]),
    ]
    many = model.recommend_many(requests, k=7)
    alone = [
        model.recommend(playlist=pids[1], k=7),
        model.recommend(tracks=seed, k=7),
        model.recommend(playlist=pids[2], k=7),
    ]
    assert [[r.track_id for r in rs] for rs in many] == [[r.track_id for r in rs] for rs in alone]
    assert model.recommend_many([], k=3) == []


def test_bad_requests_are_one_line_errors(trained, model) -> None:
    pid = next(iter(trained.world.playlists))
    with pytest.raises(UnknownIdError, match="unknown playlist 'nope'"):
        model.recommend(playlist="nope")
    with pytest.raises(UnknownIdError, match=r"unknown track id.*zzz"):
        model.recommend(tracks=["zzz"])
    with pytest.raises(UnknownIdError, match="either"):
        model.recommend()
    with pytest.raises(UnknownIdError, match="either"):
        model.recommend(playlist=pid, tracks=["x"])
    for k in (0, 1001, True):
        with pytest.raises(RequestError, match="k must be"):
            model.recommend(playlist=pid, k=k)
    with pytest.raises(RequestError, match="unknown request field"):
        model.recommend_many([{"playlist": pid, "colour": "red"}])
    with pytest.raises(NothingLeftError):
        model.recommend(tracks=list(model.loaded.tracks.ids))


def test_import_tunegraph_loads_neither_numpy_nor_tensorflow() -> None:
    code = "import sys, tunegraph; print(sorted({'numpy', 'tensorflow'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_readme_python_example_runs(trained, capsys: pytest.CaptureFixture[str]) -> None:
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text("utf-8")
    section = readme.split("### From Python", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, flags=re.S)
    assert code is not None, "the README lost its Python example"
    pid = list(trained.world.playlists)[7]
    track = trained.world.playlists[pid][0]
    source = (
        code.group(1)
        .replace('"out/model"', repr(str(trained.model_dir)))
        .replace("8fqSADN4aqHVIK8FCJPwKz", pid)
        .replace("0G5Ps9hfyNXRj4CbQUqdFW", track)
    )
    exec(compile(source, "README.md", "exec"), {})
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines[:3]] == ["1", "2", "3"]
    assert len(eval(lines[3])) == 3
    assert lines[4] == "[2, 0]"  # the toy playlists have no titles: nothing to go on
    assert eval(lines[5]) and all(rank >= 1 for rank in eval(lines[5]).values())
    assert lines[6].startswith("Song ") and int(lines[6].split()[-1]) >= 1
    assert lines[7].startswith("tunegraph query ")


def test_uris_and_links_name_the_same_tracks_and_playlists(trained, model) -> None:
    """Issue 21: `recommend --tracks spotify:track:...` said "unknown track id(s)"."""
    pid = list(trained.world.playlists)[9]
    a, b = trained.world.playlists[pid][:2]
    bare = model.recommend(tracks=[a, b], k=5)
    links = [f"spotify:track:{a}", f"https://open.spotify.com/track/{b}?si=x"]
    assert model.recommend(tracks=links, k=5) == bare
    assert model.recommend(playlist=f"spotify:playlist:{pid}", k=5) == model.recommend(pid, k=5)
    with pytest.raises(UnknownIdError, match="not a playlist"):
        model.recommend(playlist=f"spotify:track:{pid}")


def test_the_cli_takes_uris_and_links(trained) -> None:
    import json

    from click.testing import CliRunner

    from tunegraph.cli.main import cli

    pid = list(trained.world.playlists)[9]
    a, b = trained.world.playlists[pid][:2]
    runs = [
        CliRunner().invoke(
            cli,
            ["recommend", "--model", str(trained.model_dir), "--tracks", tracks, "--json"],
        )
        for tracks in (f"{a},{b}", f"spotify:track:{a},https://open.spotify.com/track/{b}")
    ]
    assert [r.exit_code for r in runs] == [0, 0], runs[1].output
    bare, linked = (json.loads(r.output) for r in runs)
    assert [r["track_id"] for r in linked] == [r["track_id"] for r in bare]


def test_as_json_is_asdict_with_lists() -> None:
    import json
    from dataclasses import asdict

    rec = tunegraph.Recommendation(1, "t1", "Song", ("A", "B"), -0.5)
    plain = {k: v for k, v in asdict(rec).items() if k != "because"}  # None: left out
    assert rec.as_json() == {**plain, "artists": ["A", "B"]}
    assert json.loads(json.dumps(rec.as_json())) == rec.as_json()
    seed = tunegraph.SharedSeed("t0", "Seed", 3)
    why = tunegraph.Because({"als": 2}, (seed,), ("t0",), (), 1, "MATCH ...", {"track": "t1"})
    explained = tunegraph.Recommendation(1, "t1", "Song", ("A",), 0.1, why)
    assert explained.as_json()["because"] == {**asdict(why), "shared_seeds": [asdict(seed)],
                                              "same_artist": ["t0"], "same_album": []}  # fmt: skip
    assert json.loads(json.dumps(explained.as_json())) == explained.as_json()
