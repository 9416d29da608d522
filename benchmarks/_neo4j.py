"""A fresh, private Neo4j for one benchmark run (own port, temporary data directory)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import tunegraph.neo4j_server as server
from tunegraph.graphstore.settings import Neo4jSettings

PASSWORD = "tunegraph-bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def fresh_local_neo4j(
    heap_mb: int = 2048, pagecache_mb: int = 1024
) -> Iterator[tuple[Neo4jSettings, server.LocalPaths]]:
    """The settings, and the paths that find its instance record (for `import --bulk`)."""
    user = server.default_paths(os.environ, Path.home())  # the jar cache, the Neo4j release
    with tempfile.TemporaryDirectory(prefix="tunegraph-bench-") as tmp:
        paths = dataclasses.replace(user, state_dir=Path(tmp) / "state", java_home=None)
        spec = server.InstanceSpec(
            port=free_port(), data_dir=Path(tmp) / "data", password=PASSWORD,
            heap_mb=heap_mb, pagecache_mb=pagecache_mb, ready_timeout_s=300,
        )  # fmt: skip
        record, _ = server.start(spec, paths)
        try:
            yield Neo4jSettings(uri=record.uri, password=PASSWORD), paths
        finally:
            server.stop(paths, record.port)


@contextlib.contextmanager
def fresh_neo4j(heap_mb: int = 2048, pagecache_mb: int = 1024) -> Iterator[Neo4jSettings]:
    with fresh_local_neo4j(heap_mb, pagecache_mb) as (settings, _):
        yield settings
