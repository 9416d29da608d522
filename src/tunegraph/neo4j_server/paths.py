"""Where the local Neo4j's jars and instance records live, and which Neo4j release runs.

The caller hands in the environment (the CLI, a test fixture, a benchmark), so the
library itself never reads it.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from tunegraph.graphstore.bolt_uri import DEFAULT_BOLT_PORT

LAUNCHER_PACKAGE = "tunegraph.neo4j_server"
POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}


def launcher_file(name: str) -> Traversable:
    """A file of the launcher shipped with the package (its Java source, its pom.xml)."""
    return resources.files(LAUNCHER_PACKAGE) / "launcher" / name


@functools.cache
def pinned_neo4j_version() -> str:
    """The exact release launcher/pom.xml pins: the one place that names it."""
    root = ET.fromstring(launcher_file("pom.xml").read_text())
    version = root.findtext("m:properties/m:neo4j.version", namespaces=POM_NS)
    if not version:
        raise ValueError("launcher/pom.xml names no neo4j.version")
    return version.strip()


@dataclass(frozen=True)
class LocalPaths:
    """Where jars are cached (outside the repository) and where instances are recorded."""

    cache_dir: Path
    state_dir: Path
    java_home: Path | None = None  # JAVA_HOME: its bin/java comes before the one on PATH
    neo4j_version: str = field(default_factory=pinned_neo4j_version)

    @property
    def jar_dir(self) -> Path:
        """One folder per release, so an override never runs on another release's jars."""
        return self.cache_dir / f"neo4j-{self.neo4j_version}" / "lib"

    def record_file(self, port: int) -> Path:
        return self.state_dir / "instances" / f"{port}.json"

    def default_data_dir(self, port: int) -> Path:
        return self.state_dir / ("neo4j" if port == DEFAULT_BOLT_PORT else f"neo4j-{port}")


def default_paths(environ: Mapping[str, str], home: Path) -> LocalPaths:
    """XDG-style places, overridden by TUNEGRAPH_CACHE_DIR / TUNEGRAPH_STATE_DIR; the
    pinned Neo4j release, overridden by TUNEGRAPH_NEO4J_VERSION."""
    xdg_cache = environ.get("XDG_CACHE_HOME") or str(home / ".cache")
    cache = environ.get("TUNEGRAPH_CACHE_DIR") or str(Path(xdg_cache) / "tunegraph")
    state = environ.get("TUNEGRAPH_STATE_DIR") or str(home / ".local" / "share" / "tunegraph")
    java_home = environ.get("JAVA_HOME") or None
    return LocalPaths(
        Path(cache),
        Path(state),
        Path(java_home) if java_home else None,
        environ.get("TUNEGRAPH_NEO4J_VERSION") or pinned_neo4j_version(),
    )
