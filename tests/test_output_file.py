"""`tunegraph.output_file`: a file a command writes follows the folders' rules: only a
regular file is replaced, never one inside another command's output nor the command's
own input; its mode is kept and what a killed writer left is cleaned up."""

from __future__ import annotations

import fcntl
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tunegraph.output_file import check_output_file, publish_file
from tunegraph.outputs import OutputError, claim_dir, publish_dir


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_publish_file_is_whole_or_untouched(tmp_path: Path) -> None:
    out = tmp_path / "recs.csv"
    with publish_file(out) as tmp:
        tmp.write_text("old")
    with pytest.raises(KeyboardInterrupt), publish_file(out) as tmp:
        tmp.write_text("half of the n")
        raise KeyboardInterrupt
    assert out.read_text() == "old" and _names(tmp_path) == ["recs.csv"]


def test_a_character_device_is_refused_without_writing() -> None:
    with pytest.raises(OutputError, match="/dev/null: it is a character device"):
        check_output_file("/dev/null")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_fifo_is_refused_and_kept(tmp_path: Path) -> None:
    fifo = tmp_path / "recs.csv"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="FIFO"), publish_file(fifo) as tmp:
        tmp.write_text("x")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and _names(tmp_path) == ["recs.csv"]


def test_a_file_inside_another_commands_output_is_refused(tmp_path: Path) -> None:
    model = tmp_path / "model"
    with publish_dir(model, "train") as staging:
        (staging / "vocab").mkdir()
        (staging / "vocab" / "track_id.txt").write_text("t1\n")
        (staging / "tracks.json").write_text("{}")
    for inside in (model / "tracks.json", model / "vocab" / "track_id.txt", model / "new.csv"):
        refused = pytest.raises(OutputError, match=r"inside the output of `tunegraph train`")
        with refused, publish_file(inside) as tmp:
            tmp.write_text("recs")
    assert (model / "tracks.json").read_text() == "{}" and "new.csv" not in _names(model)


def test_a_folder_written_in_place_lets_its_own_names_be_written(tmp_path: Path) -> None:
    demo = claim_dir(tmp_path / "demo", "demo", files=("evaluation.json",), trees=("model",))
    with publish_file(demo / "evaluation.json") as tmp:
        tmp.write_text("{}")
    assert (demo / "evaluation.json").read_text() == "{}"
    with pytest.raises(OutputError, match="`tunegraph demo`"), publish_file(demo / "x.csv"):
        pass


def test_the_commands_own_input_is_refused(tmp_path: Path) -> None:
    requests = tmp_path / "challenge.json"
    requests.write_text('{"playlists": []}')
    for same in (requests, tmp_path / "." / "challenge.json"):
        refused = pytest.raises(OutputError, match="this command's input")
        with refused, publish_file(same, inputs=[None, requests]) as tmp:
            tmp.write_text("pid,track")
    assert requests.read_text() == '{"playlists": []}'


def test_the_replaced_files_mode_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "secret.csv"
    out.write_text("old")
    out.chmod(0o600)
    with publish_file(out) as tmp:
        tmp.write_text("new")
    assert out.read_text() == "new" and stat.S_IMODE(out.stat().st_mode) == 0o600


def test_temporary_files_of_a_killed_writer_are_removed_by_the_next(tmp_path: Path) -> None:
    out = tmp_path / "recs.csv"
    script = textwrap.dedent(
        f"""
        import os, signal
        from tunegraph.output_file import publish_file
        with publish_file({str(out)!r}) as tmp:
            tmp.write_text("x" * 100000)
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run([sys.executable, "-c", script], env=env, check=False)
    assert any(".tunegraph-new-" in name for name in _names(tmp_path))
    live = tmp_path / ".recs.csv.tunegraph-new-live"  # a writer still at work keeps its file
    live.write_text("y")
    fd = os.open(live, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with publish_file(out) as tmp:
            tmp.write_text("done")
    finally:
        os.close(fd)
    assert _names(tmp_path) == [live.name, "recs.csv"] and out.read_text() == "done"


def test_an_os_error_of_the_callers_own_is_not_called_a_write_error(tmp_path: Path) -> None:
    out, missing = tmp_path / "recs.csv", tmp_path / "no-such-input.json"
    with pytest.raises(FileNotFoundError), publish_file(out):
        missing.read_text()
    with pytest.raises(OutputError, match=f"cannot write to {out}"), publish_file(out) as tmp:
        os.mkdir(tmp)  # the temporary file exists already: writing the output failed
    assert _names(tmp_path) == []
