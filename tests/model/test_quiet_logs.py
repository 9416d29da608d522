"""`train` and `recommend` in a fresh process, as a user runs them: stderr holds no
TensorFlow start-up banner and no C++ log record."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

# What TF printed before: absl's notice, C++ records ("I0000 00:00:17… port.cc:153] …")
# and the CPU-instructions continuation line.
TF_NOISE = re.compile(
    r"absl::InitializeLog|^[IWEF]\d{4} \d\d:\d\d|To enable the following instructions"
    r"|oneDNN|cuInit|cuda",
    re.MULTILINE,
)
CLI = "import sys; from tunegraph.cli.main import main; sys.argv[0] = 'tunegraph'; main()"


def _tunegraph(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_CPP")}
    return subprocess.run(
        [sys.executable, "-c", CLI, *args],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip


def test_train_and_recommend_print_no_tensorflow_log(
    trained, toy_data_dir: Path, tmp_path: Path
) -> None:
    train = _tunegraph(
        "train", "--data", str(toy_data_dir), "--out", str(tmp_path / "m"),
        "--epochs", "1", "--threads", "2",
    )  # fmt: skip
    assert train.returncode == 0, train.stderr
    assert "trained" in train.stdout
    assert not TF_NOISE.search(train.stderr), train.stderr
    pid = next(iter(trained.world.playlists))
    recommend = _tunegraph("recommend", "--model", str(trained.model_dir), "--playlist", pid)
    assert recommend.returncode == 0, recommend.stderr
    assert recommend.stderr == ""
    assert "Song" in recommend.stdout


def test_an_unknown_id_still_gets_its_one_line_error(trained) -> None:
    result = _tunegraph("recommend", "--model", str(trained.model_dir), "--playlist", "nope")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: unknown playlist 'nope': not in the model's data"
    ]
