"""A private Neo4j for a test session or a benchmark: its own port, data and state."""

from __future__ import annotations

from pathlib import Path

import tunegraph.neo4j_server as server
from tunegraph.testing.ports import free_port


def start_private_neo4j(
    paths: server.LocalPaths,
    data_dir: Path,
    password: str,
    heap_mb: int,
    pagecache_mb: int,
    ready_timeout_s: float,
) -> server.InstanceRecord:
    """Start Neo4j on a free port with ``paths`` (the user's jar cache, a state dir of its own).

    Stop it with ``server.stop(paths, record.port)``.
    """
    spec = server.InstanceSpec(
        port=free_port(),
        data_dir=data_dir,
        password=password,
        heap_mb=heap_mb,
        pagecache_mb=pagecache_mb,
        ready_timeout_s=ready_timeout_s,
    )
    record, _ = server.start(spec, paths)
    return record
