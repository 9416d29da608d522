"""A private Neo4j for a test session or a benchmark: its own port, data and state."""

from __future__ import annotations

from pathlib import Path

from tunegraph.graphstore import local_server  # the launcher; re-point here if it moves
from tunegraph.testing.ports import free_port


def start_private_neo4j(
    paths: local_server.LocalPaths,
    data_dir: Path,
    password: str,
    heap_mb: int,
    pagecache_mb: int,
    ready_timeout_s: float,
) -> local_server.InstanceRecord:
    """Start Neo4j on a free port with ``paths`` (the user's jar cache, a state dir of its own).

    Stop it with ``local_server.stop(paths, record.port)``.
    """
    spec = local_server.InstanceSpec(
        port=free_port(),
        data_dir=data_dir,
        password=password,
        heap_mb=heap_mb,
        pagecache_mb=pagecache_mb,
        ready_timeout_s=ready_timeout_s,
    )
    record, _ = local_server.start(spec, paths)
    return record
