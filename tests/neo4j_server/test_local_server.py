"""The local launcher: the password is written only when it changes, and a change still takes;
secrets stay private; LOAD CSV reads files from the instance's import folder only."""

from __future__ import annotations

import asyncio
import hashlib
import stat
from pathlib import Path

import pytest

import tunegraph.neo4j_server as server
from support.neo4j_fixtures import TEST_PASSWORD, free_port
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.errors import Neo4jAuthFailed, QueryFailed
from tunegraph.graphstore.settings import Neo4jSettings


async def _one(uri: str, password: str) -> int:
    async with GraphStore(Neo4jSettings(uri=uri, user="neo4j", password=password)) as store:
        return (await store.run("RETURN 1 AS one"))[0]["one"]


def test_a_restart_with_a_new_password_changes_it(
    neo4j_paths: server.LocalPaths, tmp_path: Path
) -> None:
    data = tmp_path / "neo4j"
    spec = server.InstanceSpec(port=free_port(), data_dir=data, password="first-pass",
                                     heap_mb=512, pagecache_mb=64, ready_timeout_s=180)  # fmt: skip
    data.mkdir()
    old_marker = data / "tunegraph-password.sha256"  # an unsalted hash, by older launchers
    old_marker.write_text(hashlib.sha256(b"tunegraph:first-pass").hexdigest() + "\n")
    record, _ = server.start(spec, neo4j_paths)
    marker = data / "tunegraph-password.pbkdf2"
    first = marker.read_text()
    assert not old_marker.exists()
    assert first.startswith("pbkdf2-sha256$") and "first-pass" not in first
    assert hashlib.sha256(b"tunegraph:first-pass").hexdigest() not in first
    assert _mode(marker) == 0o600
    record_file = neo4j_paths.record_file(record.port)
    assert _mode(record_file) == 0o600 and _mode(record_file.parent) == 0o700
    server.stop(neo4j_paths, record.port)
    changed = server.InstanceSpec(**{**spec.__dict__, "password": "second-pass"})
    record, _ = server.start(changed, neo4j_paths)
    try:
        assert marker.read_text() != first
        assert asyncio.run(_one(record.uri, "second-pass")) == 1
        with pytest.raises(Neo4jAuthFailed):
            asyncio.run(_one(record.uri, "first-pass"))
    finally:
        server.stop(neo4j_paths, record.port)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def _load_csv(record: server.InstanceRecord, url: str) -> list[list[str]]:
    settings = Neo4jSettings(uri=record.uri, user="neo4j", password=TEST_PASSWORD)
    async with GraphStore(settings) as store:
        rows = await store.run("LOAD CSV FROM $url AS line RETURN line", url=url)
    return [row["line"] for row in rows]


def test_load_csv_reads_the_import_folder_only(
    neo4j_server: server.InstanceRecord, neo4j_paths: server.LocalPaths
) -> None:
    record_file = neo4j_paths.record_file(neo4j_server.port)
    outside = ["file:///etc/passwd", f"file://{record_file}", "file:///../tunegraph-neo4j.log"]
    for url in outside:
        with pytest.raises(QueryFailed, match="import folder"):
            asyncio.run(_load_csv(neo4j_server, url))
    (Path(neo4j_server.data_dir) / "import" / "mine.csv").write_text("a,b\n")
    assert asyncio.run(_load_csv(neo4j_server, "file:///mine.csv")) == [["a", "b"]]
