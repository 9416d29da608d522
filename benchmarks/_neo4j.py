"""A fresh, private Neo4j for one benchmark run (own port, temporary data directory)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import tunegraph.neo4j_server as server
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.testing.neo4j import start_private_neo4j

PASSWORD = "tunegraph-bench"


@contextlib.contextmanager
def fresh_local_neo4j(
    heap_mb: int = 2048, pagecache_mb: int = 1024
) -> Iterator[tuple[Neo4jSettings, server.LocalPaths]]:
    """The settings, and the paths that find its instance record (for `import --bulk`)."""
    user = server.default_paths(os.environ, Path.home())  # the jar cache, the Neo4j release
    with tempfile.TemporaryDirectory(prefix="tunegraph-bench-") as tmp:
        paths = dataclasses.replace(user, state_dir=Path(tmp) / "state", java_home=None)
        record = start_private_neo4j(
            paths, Path(tmp) / "data", PASSWORD, heap_mb, pagecache_mb, ready_timeout_s=300
        )
        try:
            yield Neo4jSettings(uri=record.uri, password=PASSWORD), paths
        finally:
            server.stop(paths, record.port)


@contextlib.contextmanager
def fresh_neo4j(heap_mb: int = 2048, pagecache_mb: int = 1024) -> Iterator[Neo4jSettings]:
    with fresh_local_neo4j(heap_mb, pagecache_mb) as (settings, _):
        yield settings
