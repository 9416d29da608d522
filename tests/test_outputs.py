"""`tunegraph.outputs`: a command never deletes what it did not write, and a published
folder is the old one or the new one after any interruption (kill -9 included)."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from tunegraph.outputs import (
    MARKER,
    OutputError,
    check_output_dir,
    claim_dir,
    publish_dir,
    reading,
    recover,
)

FILES = ("config.json", "weights/a.bin", "weights/b.bin", "vocab.txt")


def write_generation(folder: Path, generation: int) -> None:
    for name in FILES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(f"{generation}\n" * 1000)


def generation_of(folder: Path) -> int:
    """The one generation every file of ``folder`` holds; fails on a mix or a missing file."""
    seen = {(folder / name).read_text().split("\n", 1)[0] for name in FILES}
    assert len(seen) == 1, f"a mix of generations {seen}"
    marker = json.loads((folder / MARKER).read_text())
    assert set(FILES) <= set(marker["files"])
    return int(seen.pop())


def publish(target: Path, generation: int, kind: str = "train") -> None:
    with publish_dir(target, kind) as staging:
        write_generation(staging, generation)


def leftovers(target: Path) -> list[str]:
    return [p.name for p in target.parent.iterdir() if ".tunegraph-" in p.name]


def test_a_folder_holding_files_we_did_not_write_is_refused_and_kept(tmp_path: Path) -> None:
    # issue #14 item 1: a folder with a manifest.json was taken for an export and removed
    w = tmp_path / "w"
    (w / "src").mkdir(parents=True)
    (w / "manifest.json").write_text("{}")
    (w / "index.html").write_text("x")
    with pytest.raises(OutputError, match=r"did not write \(index\.html, manifest\.json, src\)"):
        publish(w, 1, "export")
    assert sorted(p.name for p in w.iterdir()) == ["index.html", "manifest.json", "src"]
    assert leftovers(w) == []


def test_replaces_its_own_output_whole_but_never_a_file_added_to_it(tmp_path: Path) -> None:
    out = tmp_path / "model"
    with publish_dir(out, "train") as staging:
        write_generation(staging, 1)
        (staging / "weights" / "c.bin").write_text("only in the first")
    (out / "vocab.txt").write_text("edited")  # changing our own files is fine
    publish(out, 2)
    assert generation_of(out) == 2 and not (out / "weights" / "c.bin").exists()
    (out / "weights" / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"did not write \(weights/notes\.txt\)"):
        publish(out, 3)
    assert (out / "weights" / "notes.txt").read_text() == "mine" and generation_of(out) == 2
    assert leftovers(out) == []


def test_a_file_added_while_the_command_writes_stops_the_swap(tmp_path: Path) -> None:
    out = tmp_path / "model"
    publish(out, 1)
    with pytest.raises(OutputError, match=r"notes\.txt"), publish_dir(out, "train") as staging:
        write_generation(staging, 2)
        (out / "notes.txt").write_text("added during a long train")
    assert (out / "notes.txt").exists() and leftovers(out) == []


def test_another_commands_output_is_refused(tmp_path: Path) -> None:
    publish(tmp_path / "export", 1, "export")
    with pytest.raises(OutputError, match="output of `tunegraph export`, not of `tunegraph train`"):
        check_output_dir(tmp_path / "export", "train")


def test_an_error_while_writing_leaves_the_old_folder_and_no_staging(tmp_path: Path) -> None:
    out = tmp_path / "model"
    publish(out, 1)
    with pytest.raises(KeyboardInterrupt), publish_dir(out, "train") as staging:
        write_generation(staging, 2)
        raise KeyboardInterrupt  # Ctrl-C
    assert generation_of(out) == 1 and leftovers(out) == []


def test_bad_paths_are_one_line_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # issue #14 item 10: /proc, a path under a file, a symlink; and item 1's `--out .`
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    here = tmp_path / "here"
    publish(here, 1, "export")
    monkeypatch.chdir(here)
    cases = {
        "/proc/tunegraph-test/out": "No such file or directory",
        str(afile / "out"): "file.txt is a file, not a folder",
        str(afile): "it is a file, not a folder",
        str(tmp_path / "link"): "symbolic link",
        str(tmp_path / "dangling"): "symbolic link",
        ".": "current folder",
        "..": "current folder",
        "/": "root of the file system",
    }
    for path, message in cases.items():
        with pytest.raises(OutputError) as error, publish_dir(path, "export") as staging:
            write_generation(staging, 2)
        assert message in str(error.value) and "\n" not in str(error.value), path
    assert generation_of(here) == 1 and leftovers(here) == leftovers(tmp_path / "real") == []
    assert not (tmp_path / "nowhere").exists() and (tmp_path / "link").is_symlink()


def test_claim_dir_owns_its_names_and_their_publish_siblings(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    claim_dir(out, "demo", files=["crawl.png"], trees=["model"])
    (out / "crawl.png").write_text("png")
    publish(out / "model", 1)
    (out / ".model.tunegraph-new-abc").mkdir()  # left by a writer killed mid-way
    (out / f"{MARKER}.tmp").write_text("{")  # a claim killed mid-way
    claim_dir(out, "demo", files=["crawl.png"], trees=["model"])
    (out / "photo.jpg").write_text("mine")
    with pytest.raises(OutputError, match=r"did not write \(photo\.jpg\)"):
        claim_dir(out, "demo", files=["crawl.png"], trees=["model"])


# A writer killed at one step of the swap: `os._exit` stands in for kill -9 (no cleanup runs).
CRASHING_WRITER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from tunegraph.outputs import SwapSteps, exchange_dirs, publish_dir
    sys.path.insert(0, sys.argv[4])
    from test_outputs import write_generation

    target, die_at, use_exchange = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
    calls = []

    def step(do):
        def run(a, b):
            calls.append(1)
            result = do(a, b)
            if len(calls) == die_at:
                os._exit(9)
            return result
        return run

    exchange = step(exchange_dirs) if use_exchange else (lambda a, b: False)
    with publish_dir(target, "train", SwapSteps(rename=step(os.rename), exchange=exchange)) as s:
        write_generation(s, 2)
    """
)


@pytest.mark.parametrize(
    ("die_at", "use_exchange", "expected"),
    [
        (1, False, 2),  # old set aside, new not yet in: recovery puts the complete new one in
        (2, False, 2),  # new in, old still aside: the aside folder is removed
        (1, True, 2),  # swapped, old still at the staging name: removed
    ],
)
def test_a_writer_killed_between_swap_steps_leaves_old_or_new(
    tmp_path: Path, die_at: int, use_exchange: bool, expected: int
) -> None:
    out = tmp_path / "model"
    publish(out, 1)
    args = [str(out), str(die_at), "1" if use_exchange else "0", str(Path(__file__).parent)]
    proc = subprocess.run([sys.executable, "-c", CRASHING_WRITER, *args], check=False)
    assert proc.returncode == 9
    assert leftovers(out), "the crash should leave a folder beside the target"
    recover(out)  # what the next writer, or a reader finding the target missing, runs
    assert generation_of(out) == expected and leftovers(out) == []
    publish(out, 3)
    assert generation_of(out) == 3


def test_a_half_swapped_folder_missing_is_recovered_to_the_old_one(tmp_path: Path) -> None:
    """The new folder incomplete (no marker) and the old one aside: the old goes back."""
    out = tmp_path / "model"
    publish(out, 1)
    os.rename(out, tmp_path / ".model.tunegraph-old-abc")
    (tmp_path / ".model.tunegraph-new-abc").mkdir()
    recover(out)
    assert generation_of(out) == 1 and leftovers(out) == []


LOOPING_WRITER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from tunegraph.outputs import SwapSteps, publish_dir
    sys.path.insert(0, sys.argv[3])
    from test_outputs import write_generation

    target, exchange = Path(sys.argv[1]), sys.argv[2] == "1"
    steps = SwapSteps() if exchange else SwapSteps(exchange=lambda a, b: False)
    generation = 10
    print("ready", flush=True)
    while True:
        with publish_dir(target, "train", steps) as staging:
            write_generation(staging, generation)
        generation += 1
    """
)


@pytest.mark.parametrize("use_exchange", [True, False])
def test_kill_9_at_random_moments_never_leaves_a_mix(tmp_path: Path, use_exchange: bool) -> None:
    out = tmp_path / "model"
    publish(out, 1)
    rng = random.Random(14)
    args = [str(out), "1" if use_exchange else "0", str(Path(__file__).parent)]
    for _ in range(8):
        proc = subprocess.Popen(
            [sys.executable, "-c", LOOPING_WRITER, *args], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.3))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        recover(out)
        assert generation_of(out) >= 1 and leftovers(out) == []


def _wait_for_generation(target: Path, generation: int) -> None:
    for _ in range(2400):  # a bounded wait for the writer's swap, not a timed assertion
        with contextlib.suppress(OSError, AssertionError):
            if generation_of(target) == generation:
                return
        time.sleep(0.05)
    raise AssertionError(f"{target} never became generation {generation}")


def test_a_reader_reads_the_folder_it_opened_whole_while_a_writer_swaps(tmp_path: Path) -> None:
    out = tmp_path / "model"
    publish(out, 1)
    with reading(out) as folder:
        writer = threading.Thread(target=publish, args=(out, 2))
        writer.start()
        _wait_for_generation(out, 2)  # swapped in: new readers get generation 2 ...
        assert generation_of(folder) == 1  # ... this one still reads generation 1, whole
        assert writer.is_alive()  # the writer removes the old folder only after we are done
    writer.join()
    assert generation_of(out) == 2 and leftovers(out) == []


def test_an_os_error_of_the_callers_own_is_not_called_a_write_error(tmp_path: Path) -> None:
    out, missing = tmp_path / "model", tmp_path / "no-such-input.csv"
    with pytest.raises(FileNotFoundError) as raised, publish_dir(out, "train"):
        missing.read_text()  # reading an input, not writing the output
    assert raised.value.filename == str(missing)
    with pytest.raises(OutputError, match=f"cannot write to {out}"), publish_dir(out, "train") as d:
        (d / "no-folder" / "file").write_text("x")  # writing the output
    assert not out.exists() and leftovers(out) == []
