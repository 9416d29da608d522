"""Which Java runs the bundled Neo4j: JAVA_HOME's, else the one on PATH, checked first.

Neo4j 5.26 supports Java 17 and 21. Java 25 (an LTS, some distributions' only Java)
was measured too: the launcher starts it, and the Neo4j tests of the suite - the
offline importer included - pass on it (docs/development.md, "Why these versions"). Releases past 25
remove what Neo4j 5 relies on (``sun.misc.Unsafe`` memory access), so they are refused
with the one line that says what to install, as is anything older than 17.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tunegraph.neo4j_server.errors import LauncherError

JAVA_RANGE = (17, 25)
INSTALL_JAVA = (
    "install Java 21 or 17 (e.g. `apt-get install openjdk-21-jre-headless`) and set JAVA_HOME to it"
)


def find_java(java_home: Path | None, neo4j_version: str) -> str:
    """The java executable to start Neo4j with, or a LauncherError saying what to install."""
    if java_home is not None:
        java = java_home / "bin" / "java"
        if not java.is_file():
            raise LauncherError(f"JAVA_HOME={java_home} has no bin/java; {INSTALL_JAVA}")
        found = str(java)
    else:
        which = shutil.which("java")
        if which is None:
            raise LauncherError(f"java not found on PATH: {INSTALL_JAVA}")
        found = which
    major = java_major_version(found)
    low, high = JAVA_RANGE
    if not low <= major <= high:
        raise LauncherError(
            f"Neo4j {neo4j_version} runs on Java 17 or 21 (25 works too), and {found} is "
            f"Java {major}: {INSTALL_JAVA}"
        )
    return found


def java_major_version(java: str) -> int:
    """The major version `java -version` reports (``1.8`` counts as 8)."""
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    except OSError as exc:
        raise LauncherError(f"cannot run `{java} -version`: {exc.strerror or exc}") from None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise LauncherError(f"could not read the Java version from `{java} -version`")
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major
