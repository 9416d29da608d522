"""Two workers on loopback train one two-tower model with MultiWorkerMirroredStrategy.

Each worker is its own ``tunegraph train`` process (collective ops are configured once
per process, at start-up), so this runs the CLI end to end: --cluster parsing, the
strategy, each worker's share of the part files, and chief-only writing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from support.toy_world import genre_world
from tunegraph.testing.export_dir import write_export_dir
from tunegraph.testing.ports import free_ports

pytestmark = pytest.mark.tensorflow  # imports or trains TensorFlow models

WORKER_TIMEOUT_S = 240  # generous: a loaded 2-core host; a run takes well under a minute
CLI = "from tunegraph.cli.main import main; main()"
TRAIN_ARGS = ("--epochs", "2", "--batch-size", "128", "--seed", "7", "--threads", "1")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    here = Path(__file__).resolve().parents
    paths = [str(here[3] / "src"), str(here[2]), os.environ.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)  # this checkout's code
    env["CUDA_VISIBLE_DEVICES"] = ""  # two processes must not share one GPU's memory
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    return env


@pytest.fixture(scope="module")
def export_dir(session_dir: Path) -> Path:
    world = genre_world(playlists=160, tracks=240, genres=4, length=(8, 24), seed=5)
    root = session_dir / "dist-export"
    write_export_dir(root, world.playlists, world.tracks_meta, shard_rows=900)
    assert len(list((root / "interactions").glob("part-*.parquet"))) >= 2  # FILE sharding
    return root


def test_two_workers_agree_and_match_one_machine(session_dir: Path, export_dir: Path) -> None:
    from tunegraph.model.api import TrainSettings, train
    from tunegraph.model.pipeline.artifacts import load_model

    root = session_dir / "dist"
    cluster = ",".join(f"127.0.0.1:{p}" for p in free_ports(2))
    chief_dir, worker_dir = root / "chief", root / "worker1"
    start = time.perf_counter()
    root.mkdir(parents=True)
    logs = [root / f"worker{i}.log" for i in range(2)]  # files: a full pipe would block
    procs = []
    for i in range(2):
        own = ["--worker-index", str(i)] + (["--worker-dir", str(worker_dir)] if i else [])
        args = ["train", "--data", str(export_dir), "--out", str(chief_dir), *TRAIN_ARGS]
        with logs[i].open("w") as log:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-c", CLI, *args, "--cluster", cluster, *own],
                    env=_env(),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    deadline = time.monotonic() + WORKER_TIMEOUT_S
    try:
        # a worker that fails leaves the other waiting on a collective: stop at once
        while time.monotonic() < deadline and any(p.poll() is None for p in procs):
            if any(p.poll() not in (None, 0) for p in procs):
                break
            time.sleep(0.2)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    outputs = [log.read_text("utf-8", errors="replace") for log in logs]
    seconds = time.perf_counter() - start
    for i, (proc, out) in enumerate(zip(procs, outputs, strict=True)):
        assert proc.returncode == 0, f"worker {i} failed ({proc.returncode}):\n{out[-3000:]}"
    assert "model in" in outputs[0]
    assert "worker 1 of 2 trained its share (file sharding)" in outputs[1]

    # all-reduced gradients: both workers end with the same two-tower weights
    chief, worker = load_model(chief_dir), load_model(worker_dir)
    np.testing.assert_allclose(
        chief.recommender.candidates, worker.recommender.candidates, atol=1e-5
    )
    chief_report = json.loads((chief_dir / "metrics.json").read_text("utf-8"))
    worker_report = json.loads((worker_dir / "metrics.json").read_text("utf-8"))
    assert chief_report["shard_policy"] == worker_report["shard_policy"] == "file"
    assert chief_report["val_metric"] == pytest.approx(worker_report["val_metric"], abs=1e-6)
    assert chief.config["train"]["cluster"]["workers"] == cluster.split(",")

    # the same data on one machine: about the same validation recall (the workers'
    # in-batch negatives come from half batches, and the data order differs)
    single = train(
        TrainSettings(
            data_dir=export_dir,
            model_dir=root / "single",
            epochs=2,
            batch_size=128,
            seed=7,
            threads=1,
        )
    )
    assert single.shard_policy == ""
    best_single, best_chief = max(single.val_metric), max(chief_report["val_metric"])
    assert best_chief > 0.5, chief_report["val_metric"]  # it learnt (about 0.9 here)
    assert abs(best_chief - best_single) < 0.06, (best_chief, best_single)
    assert seconds < WORKER_TIMEOUT_S


def test_cluster_option_parsing() -> None:
    from tunegraph.model.twotower.cluster import ClusterError, cluster_from_tf_config, parse_cluster

    cluster = parse_cluster("h1:2222, h2:2223", 1)
    assert cluster.workers == ("h1:2222", "h2:2223") and not cluster.is_chief
    assert cluster_from_tf_config(cluster.tf_config()) == cluster
    both = '{"cluster": {"chief": ["c:1"], "worker": ["w:2"]}, "task": {"type": "worker"}}'
    assert cluster_from_tf_config(both) == parse_cluster("c:1,w:2", 1)
    assert cluster_from_tf_config("{}") is None
    for text, index in (("h1", 0), ("h1:0", 0), ("h1:1,h1:1", 0), ("h1:1,h2:2", 2), ("", 0)):
        with pytest.raises(ClusterError):
            parse_cluster(text, index)
    with pytest.raises(ClusterError, match="worker-index"):
        parse_cluster("h1:1", None)


def test_worker_shares_cover_the_pairs_once() -> None:
    from tunegraph.model.twotower.distributed import DATA, FILE, worker_share

    rows = np.repeat(np.arange(6), 3)  # 6 playlists, 3 pairs each
    parts = np.array([0, 0, 1, 1, 2, 2])
    shares = [worker_share(rows, parts, 3, 2, i) for i in range(2)]
    assert [policy for _, policy in shares] == [FILE, FILE]
    assert set(rows[shares[1][0]]) == {2, 3}  # part 1: worker 1
    one_file = [worker_share(rows, np.zeros(6, np.int32), 1, 2, i) for i in range(2)]
    assert [policy for _, policy in one_file] == [DATA, DATA]
    for split in (shares, one_file):
        together = np.sort(np.concatenate([share for share, _ in split]))
        np.testing.assert_array_equal(together, np.arange(len(rows)))


def test_only_the_chief_writes_the_model_dir(session_dir: Path) -> None:
    from tunegraph.model.api import TrainSettings, _output_dir
    from tunegraph.model.twotower.cluster import parse_cluster

    tmp_path = session_dir / "output-dirs"
    settings = TrainSettings(data_dir=tmp_path, model_dir=tmp_path / "model")
    assert _output_dir(settings) == (tmp_path / "model", False)
    settings.cluster = parse_cluster("a:1,b:2", 0)
    assert _output_dir(settings) == (tmp_path / "model", False)
    settings.cluster = parse_cluster("a:1,b:2", 1)
    scratch, remove = _output_dir(settings)
    assert remove and scratch.is_dir() and scratch != tmp_path / "model"
    scratch.rmdir()
    settings.worker_dir = tmp_path / "mine"
    assert _output_dir(settings) == (tmp_path / "mine", False)


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["--cluster", "h1:2222,h2", "--worker-index", "0"],
            {},
            "worker address 'h2' is not host:port",
        ),
        (["--cluster", "h1:2222,h2:2222"], {}, "a cluster needs this worker's --worker-index"),
        (["--worker-index", "1"], {}, "--worker-index needs --cluster"),
        ([], {"TF_CONFIG": "{not json"}, "TF_CONFIG is not a TensorFlow cluster"),
    ],
)
def test_a_bad_cluster_is_a_usage_error(
    session_dir: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    from click.testing import CliRunner

    from tunegraph.cli.main import cli

    data = ["train", "--data", str(session_dir / "none"), "--out", str(session_dir / "none")]
    result = CliRunner().invoke(cli, [*data, *args], env=env)
    assert result.exit_code == 2, result.output
    assert f"Error: {message}" in result.output and "Traceback" not in result.output


def _alone(root: Path, export_dir: Path, index: int, *extra: str) -> tuple[subprocess.Popen, Path]:
    """One worker of a two-worker cluster whose other worker never comes."""
    cluster = ",".join(f"127.0.0.1:{p}" for p in free_ports(2))
    log = root / f"alone-{index}-{len(list(root.glob('alone-*')))}.log"
    args = ["train", "--data", str(export_dir), "--out", str(root / f"model{index}"), *TRAIN_ARGS]
    args += ["--cluster", cluster, "--worker-index", str(index), *extra]
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", CLI, *args],
            env=_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group, as a terminal's foreground job has
        )
    return proc, log


def _finish(proc: subprocess.Popen, log: Path, until: str | None = None) -> str:
    """The log once ``until`` shows in it (the process still running), or once it ended;
    a process that outlives the test's bound is killed (and the test fails on that)."""
    deadline = time.monotonic() + WORKER_TIMEOUT_S
    while time.monotonic() < deadline and proc.poll() is None:
        if until is not None and until in log.read_text("utf-8", errors="replace"):
            break
        time.sleep(0.2)
    if until is None and proc.poll() is None:
        proc.kill()
        proc.wait()
    return log.read_text("utf-8", errors="replace")


def test_workers_without_their_peers_say_so_and_give_up(
    session_dir: Path, export_dir: Path
) -> None:
    root = session_dir / "alone"
    root.mkdir(parents=True, exist_ok=True)
    worker = _alone(root, export_dir, 1, "--cluster-timeout", "5")
    chief = _alone(root, export_dir, 0, "--cluster-timeout", "8")
    for (proc, log), missing in ((worker, "the chief 127.0.0.1:"), (chief, "127.0.0.1:")):
        out = _finish(proc, log)
        assert proc.returncode != 0, out[-3000:]  # the chief is ended from outside: -9
        errors = [line for line in out.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1 and "gave up after" in errors[0] and missing in errors[0], out
        assert "--cluster-timeout" in errors[0] and "Traceback" not in out
        assert "waiting for " + missing in out  # said while it waited


@pytest.mark.parametrize("index", [1, 0])  # 1: in tunegraph's wait; 0: inside TensorFlow's
def test_a_waiting_worker_stops_on_ctrl_c(session_dir: Path, export_dir: Path, index: int) -> None:
    root = session_dir / "alone"
    root.mkdir(parents=True, exist_ok=True)
    proc, log = _alone(root, export_dir, index)  # the default timeout: minutes
    _finish(proc, log, until="waiting for")
    assert proc.poll() is None, log.read_text("utf-8")
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C at a terminal does
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail(f"worker {index} ignored Ctrl-C:\n{log.read_text('utf-8')[-2000:]}")
    assert proc.returncode != 0
