"""The Neo4j jars (Maven, once per release) and the launcher compiled beside them (once)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from tunegraph.neo4j_server.errors import LauncherError
from tunegraph.neo4j_server.instances import LAUNCHER_CLASS
from tunegraph.neo4j_server.paths import LocalPaths, launcher_file


def ensure_jars(paths: LocalPaths) -> tuple[Path, str]:
    """Fetch the jars of ``paths.neo4j_version`` once with Maven; later starts reuse them.

    Returns the jar folder and the release its kernel jar names.
    """
    lib = paths.jar_dir
    marker = lib / "VERSION"
    if marker.exists():
        return lib, marker.read_text().strip()
    mvn = shutil.which("mvn")
    if mvn is None:
        raise LauncherError(
            "mvn not found on PATH: install Maven (e.g. `apt-get install maven`) "
            "or run Neo4j with Docker"
        )
    staging = lib.with_name("lib.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with resources.as_file(launcher_file("pom.xml")) as pom_path:
        command = [
            mvn, "-q", "-B", "-f", str(pom_path), "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}", "-DincludeScope=runtime",
            f"-Dneo4j.version={paths.neo4j_version}",
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stdout + result.stderr).strip().splitlines()[-1:] or ["no output"]
        raise LauncherError(
            f"Maven could not fetch Neo4j {paths.neo4j_version} from Maven Central "
            f"({detail[0]}); check the network or ~/.m2/settings.xml"
        )
    (staging / "VERSION").write_text(_kernel_release(staging) + "\n")
    shutil.rmtree(lib, ignore_errors=True)
    staging.rename(lib)
    return lib, marker.read_text().strip()


def _kernel_release(jars: Path) -> str:
    found = sorted(jars.glob("neo4j-kernel-*.jar")) or sorted(jars.glob("neo4j-*.jar"))
    match = re.search(r"(\d+\.\d+\.\d+)", found[0].name) if found else None
    return match.group(1) if match else "unknown"


def launcher_command(lib: Path, java: str) -> list[str]:
    """The launcher's main class on the jar class path, compiled once into the cache.

    ``java File.java`` would compile the source on every start; a JDK without javac
    still gets that source-file mode.
    """
    source = launcher_file(f"{LAUNCHER_CLASS}.java")
    classes = lib.parent / "launcher" / hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    javac = Path(java).resolve().with_name("javac")
    if not (classes / f"{LAUNCHER_CLASS}.class").exists() and javac.exists():
        _compile(javac, lib, classes)
    if (classes / f"{LAUNCHER_CLASS}.class").exists():
        return ["-cp", f"{classes}{os.pathsep}{lib}/*", LAUNCHER_CLASS]
    with resources.as_file(source) as source_path:  # a real file inside an installed package
        return ["-cp", f"{lib}/*", str(source_path)]


def _compile(javac: Path, lib: Path, classes: Path) -> None:
    classes.parent.mkdir(parents=True, exist_ok=True)
    # a folder of its own, so two first starts at once cannot trip over each other
    staging = Path(tempfile.mkdtemp(prefix=f"{classes.name}.", dir=classes.parent))
    source = launcher_file(f"{LAUNCHER_CLASS}.java")
    with resources.as_file(source) as source_path:
        done = subprocess.run(
            [str(javac), "-nowarn", "-cp", f"{lib}/*", "-d", str(staging), str(source_path)],
            capture_output=True,
            check=False,
        )
    if done.returncode == 0:
        with contextlib.suppress(OSError):  # another start got there first
            staging.rename(classes)
    shutil.rmtree(staging, ignore_errors=True)
