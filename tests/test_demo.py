"""The demo's own Neo4j: a loopback URI without a port means 7687, as everywhere else."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from support.fake_java import fake_java_home
from tunegraph.demo import DemoSettings, ensure_neo4j
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.neo4j_server import LauncherError, LocalPaths


def test_a_loopback_uri_without_a_port_starts_neo4j_on_7687(tmp_path: Path) -> None:
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", 7687)) == 0:
            pytest.skip("something listens on 7687 here")
    # A Java Neo4j does not run on: the start stops right after choosing the port.
    paths = LocalPaths(tmp_path / "cache", tmp_path / "state", fake_java_home(tmp_path, "26"))
    neo4j = Neo4jSettings(uri="bolt://localhost", connection_timeout_s=2)
    said: list[str] = []
    with pytest.raises(LauncherError, match="Java 26"):
        ensure_neo4j(DemoSettings(out_dir=tmp_path, neo4j=neo4j, neo4j_paths=paths), said.append)
    assert said == [
        "[neo4j] starting Neo4j on port 7687 (the first start fetches jars with Maven) …"
    ]
