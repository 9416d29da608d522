"""The local launcher: the password is written only when it changes, and a change still takes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from support.neo4j_fixtures import free_port
from tunegraph.graphstore import local_server
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.errors import Neo4jAuthFailed
from tunegraph.graphstore.settings import Neo4jSettings


async def _one(uri: str, password: str) -> int:
    async with GraphStore(Neo4jSettings(uri=uri, user="neo4j", password=password)) as store:
        return (await store.run("RETURN 1 AS one"))[0]["one"]


def test_a_restart_with_a_new_password_changes_it(
    neo4j_paths: local_server.LocalPaths, tmp_path: Path
) -> None:
    data = tmp_path / "neo4j"
    spec = local_server.InstanceSpec(port=free_port(), data_dir=data, password="first-pass",
                                     heap_mb=512, pagecache_mb=64, ready_timeout_s=180)  # fmt: skip
    record, _ = local_server.start(spec, neo4j_paths)
    marker = data / "tunegraph-password.sha256"
    first = marker.read_text()
    local_server.stop(neo4j_paths, record.port)
    changed = local_server.InstanceSpec(**{**spec.__dict__, "password": "second-pass"})
    record, _ = local_server.start(changed, neo4j_paths)
    try:
        assert marker.read_text() != first
        assert asyncio.run(_one(record.uri, "second-pass")) == 1
        with pytest.raises(Neo4jAuthFailed):
            asyncio.run(_one(record.uri, "first-pass"))
    finally:
        local_server.stop(neo4j_paths, record.port)
