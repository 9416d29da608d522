"""`tunegraph neo4j`: a second instance beside the session's one; a restart keeps the data."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import psutil
from click.testing import CliRunner, Result

from support.neo4j_fixtures import free_port, jar_cache_dir
from tunegraph.cli.main import cli
from tunegraph.neo4j_server import InstanceRecord


def _tunegraph(tmp_path: Path) -> Callable[..., Result]:
    """`tunegraph ARGS…` with a state folder of the test's own and the shared jar cache."""
    env = {
        "TUNEGRAPH_STATE_DIR": str(tmp_path / "state"),
        "TUNEGRAPH_CACHE_DIR": str(jar_cache_dir()),
        "NEO4J_PASSWORD": "second-pass",
    }
    runner = CliRunner()

    def tg(*args: str) -> Result:
        return runner.invoke(cli, list(args), env=env)

    return tg


def test_second_instance_beside_a_running_one_keeps_data_across_restart(
    neo4j_server: InstanceRecord, tmp_path: Path
) -> None:
    env = {
        "TUNEGRAPH_STATE_DIR": str(tmp_path / "state"),
        "TUNEGRAPH_CACHE_DIR": str(jar_cache_dir()),
        "NEO4J_PASSWORD": "second-pass",
    }
    runner = CliRunner()
    port = free_port()
    uri = f"bolt://127.0.0.1:{port}"
    data_dir = tmp_path / "data"

    def tg(*args: str) -> Result:
        return runner.invoke(cli, list(args), env=env)

    started = tg("neo4j", "start", "--port", str(port), "--data-dir", str(data_dir),
                 "--heap-mb", "512", "--pagecache-mb", "64")  # fmt: skip
    try:
        assert started.exit_code == 0, started.output
        assert f"started on {uri}" in started.output
        # the constraints are there right after start, before any command wrote
        shown = runner.invoke(cli, ["query", "SHOW CONSTRAINTS YIELD name RETURN name",
                                    "--format", "json", "--uri", uri], env=env)  # fmt: skip
        names = {row["name"] for row in json.loads(shown.output)}
        assert {"playlist_id", "track_id", "artist_id", "album_id", "user_id"} <= names
        # the folders holding the password are the owner's alone
        for folder in (data_dir, tmp_path / "state" / "instances"):
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
        status = tg("neo4j", "status")
        assert uri in status.output and "running" in status.output
        # the password is found from the instance record with nothing but NEO4J_URI
        bare = {"TUNEGRAPH_STATE_DIR": env["TUNEGRAPH_STATE_DIR"], "NEO4J_URI": uri}
        wrote = runner.invoke(cli, ["query", "CREATE (:User {id: 'keep-me'})", "--write"], env=bare)
        assert wrote.exit_code == 0, wrote.output
        again = tg("neo4j", "start", "--port", str(port), "--data-dir", str(data_dir))
        assert "already running" in again.output
        in_use = tg("neo4j", "start", "--port", str(neo4j_server.port))
        assert in_use.exit_code == 1 and "in use" in in_use.output

        stopped = tg("neo4j", "stop", "--port", str(port))
        assert stopped.exit_code == 0, stopped.output
        assert "stopped" in tg("neo4j", "status").output or uri not in tg("neo4j", "status").output
        restarted = tg("neo4j", "start", "--port", str(port), "--data-dir", str(data_dir),
                       "--heap-mb", "512", "--pagecache-mb", "64")  # fmt: skip
        assert restarted.exit_code == 0, restarted.output
        kept = runner.invoke(cli, ["query", "MATCH (u:User) RETURN u.id AS id", "--format",
                                   "json"], env=bare)  # fmt: skip
        assert json.loads(kept.output) == [{"id": "keep-me"}]
    finally:
        tg("neo4j", "stop", "--port", str(port))
    assert "No tunegraph Neo4j instance recorded" in tg("neo4j", "status").output


def test_stop_of_unknown_port_is_one_clear_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["neo4j", "stop", "--port", "1", "--backend", "local"],
        env={"TUNEGRAPH_STATE_DIR": str(tmp_path)},
    )  # fmt: skip
    assert result.exit_code == 1
    assert "no tunegraph Neo4j is recorded on port 1" in result.output


def test_a_data_folder_served_already_and_a_deleted_record(
    neo4j_server: InstanceRecord, tmp_path: Path
) -> None:
    tg = _tunegraph(tmp_path)
    first, second = free_port(), free_port()
    data_dir = tmp_path / "data"
    small = ("--heap-mb", "512", "--pagecache-mb", "64", "--backend", "local")
    started = tg("neo4j", "start", "--port", str(first), "--data-dir", str(data_dir), *small)
    assert started.exit_code == 0, started.output
    record = json.loads((tmp_path / "state" / "instances" / f"{first}.json").read_text())
    try:
        # the same folder on another port: one line, nothing started, nothing recorded
        twice = tg("neo4j", "start", "--port", str(second), "--data-dir", str(data_dir), *small)
        assert twice.exit_code == 1, twice.output
        assert f"already served by tunegraph's Neo4j on port {first}" in twice.output
        assert len(twice.output.strip().splitlines()) == 2  # "Starting …" and the error
        assert not (tmp_path / "state" / "instances" / f"{second}.json").exists()
        not_there = tg("neo4j", "stop", "--port", str(second), "--backend", "local")
        assert not_there.exit_code == 1 and "stopped" not in not_there.output

        # its record deleted: still found from its data folder, and stopped
        (tmp_path / "state" / "instances" / f"{first}.json").unlink()
        stopped = tg("neo4j", "stop", "--port", str(first), "--data-dir", str(data_dir))
        assert stopped.exit_code == 0, stopped.output
        gone = not psutil.pid_exists(record["pid"])
        assert gone or psutil.Process(record["pid"]).status() == psutil.STATUS_ZOMBIE
    finally:
        tg("neo4j", "stop", "--port", str(first), "--data-dir", str(data_dir))

    # a stale record: stop says nothing ran, it does not claim to have stopped it
    stale = {**record, "pid": os.getpid()}  # a live process, but no launcher
    (tmp_path / "state" / "instances" / f"{first}.json").write_text(json.dumps(stale))
    claimed = tg("neo4j", "stop", "--port", str(first), "--backend", "local")
    assert claimed.exit_code == 1 and "no Neo4j was running" in claimed.output
