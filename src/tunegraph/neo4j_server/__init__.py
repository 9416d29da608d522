"""Running Neo4j on this machine: the local launcher (Maven Central jars), Docker, records.

The graph itself (driver, schema, Cypher, import, export) is ``tunegraph.graphstore``;
this package starts and stops the server it talks to. It never imports the crawler,
the model or the simulator, and ``graphstore`` never imports it.
"""

from __future__ import annotations

from tunegraph.neo4j_server.errors import LauncherError, OfflineImportError
from tunegraph.neo4j_server.instances import (
    InstanceRecord,
    InstanceSpec,
    list_instances,
    read_record,
    recorded_password,
)
from tunegraph.neo4j_server.local_server import find_instance, start, stop
from tunegraph.neo4j_server.offline_import import local_offline_loader
from tunegraph.neo4j_server.paths import LocalPaths, default_paths, pinned_neo4j_version

__all__ = [
    "InstanceRecord",
    "InstanceSpec",
    "LauncherError",
    "LocalPaths",
    "OfflineImportError",
    "default_paths",
    "find_instance",
    "list_instances",
    "local_offline_loader",
    "pinned_neo4j_version",
    "read_record",
    "recorded_password",
    "start",
    "stop",
]
