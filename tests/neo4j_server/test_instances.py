"""Instance records: a command finds the recorded password from the URI alone, a missing
port meaning 7687, and only for loopback hosts."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tunegraph.neo4j_server import InstanceRecord, LocalPaths, read_record, recorded_password
from tunegraph.neo4j_server.instances import running_instance, write_record


def record_on(port: int, password: str) -> InstanceRecord:
    return InstanceRecord(
        port=port, pid=os.getpid(), data_dir="/nowhere", log_file="/nowhere/log",
        uri=f"bolt://127.0.0.1:{port}", user="neo4j", password=password, version="5.26.30",
        started_at=0.0,
    )  # fmt: skip


@pytest.fixture
def paths(tmp_path: Path) -> LocalPaths:
    paths = LocalPaths(cache_dir=tmp_path / "cache", state_dir=tmp_path / "state")
    write_record(paths, record_on(7687, "default-port"))
    write_record(paths, record_on(7688, "other-port"))
    return paths


@pytest.mark.parametrize(
    ("uri", "password"),
    [
        ("bolt://localhost", "default-port"),
        ("neo4j://127.0.0.1:7687", "default-port"),
        ("bolt://[::1]:7688", "other-port"),
        ("bolt://127.0.0.1:7689", None),
        ("bolt://db.example.com:7687", None),
    ],
)
def test_the_recorded_password_of_a_loopback_uri(
    paths: LocalPaths, uri: str, password: str | None
) -> None:
    assert recorded_password(paths, uri) == password


def test_records_are_the_owners_alone(paths: LocalPaths) -> None:
    file = paths.record_file(7687)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(file.parent.stat().st_mode) == 0o700
    assert read_record(paths, 7687) == record_on(7687, "default-port")


def test_a_record_of_a_process_that_is_no_launcher_is_not_running(paths: LocalPaths) -> None:
    assert running_instance(paths, "bolt://localhost") is None  # the pid is this pytest
