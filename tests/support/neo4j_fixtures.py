"""A real Neo4j for the test session, started with tunegraph's own launcher on a free port.

Jars come from the user's normal cache (fetched once); the data directory and the
instance record are temporary, so the suite never touches a user's instance.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import tunegraph.neo4j_server as server
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.schema import ensure_schema
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.graphstore.writers import clear_graph
from tunegraph.testing.neo4j import start_private_neo4j
from tunegraph.testing.ports import free_port as free_port  # tests import it from here

TEST_PASSWORD = "tunegraph-test"


def jar_cache_dir() -> Path:
    return server.default_paths(os.environ, Path.home()).cache_dir


@pytest.fixture(scope="session")
def neo4j_paths(tmp_path_factory: pytest.TempPathFactory) -> server.LocalPaths:
    """The user's jar cache and Neo4j release (TUNEGRAPH_NEO4J_VERSION), records of our own."""
    user = server.default_paths(os.environ, Path.home())
    return dataclasses.replace(
        user, state_dir=tmp_path_factory.mktemp("neo4j-state"), java_home=None
    )


def start_instance(
    paths: server.LocalPaths, data_dir: Path, pagecache_mb: int = 256
) -> server.InstanceRecord:
    """A test instance on a free port: small memory, a generous start-up timeout."""
    return start_private_neo4j(
        paths, data_dir, TEST_PASSWORD, heap_mb=768, pagecache_mb=pagecache_mb, ready_timeout_s=180
    )


@pytest.fixture(scope="session")
def neo4j_server(
    neo4j_paths: server.LocalPaths, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[server.InstanceRecord]:
    """One Neo4j for the whole session; stopped (SIGTERM, clean shutdown) at the end."""
    record = start_instance(neo4j_paths, tmp_path_factory.mktemp("neo4j-data"))
    yield record
    server.stop(neo4j_paths, record.port)


@pytest.fixture(scope="session")
def neo4j_settings(neo4j_server: server.InstanceRecord) -> Neo4jSettings:
    return Neo4jSettings(uri=neo4j_server.uri, user="neo4j", password=TEST_PASSWORD)


def reset_graph(settings: Neo4jSettings) -> None:
    """Empty the graph and put the schema back (also mid-test, between two runs)."""

    async def main() -> None:
        async with GraphStore(settings) as store:
            await clear_graph(store)
            await ensure_schema(store)

    asyncio.run(main())


@pytest.fixture
def empty_graph(neo4j_settings: Neo4jSettings) -> Neo4jSettings:
    """Settings of the session's Neo4j, emptied and with the schema in place."""
    reset_graph(neo4j_settings)
    return neo4j_settings
