"""Neo4j's offline importer (``neo4j-admin database import full``) on tunegraph's local Neo4j.

Transactional writes top out near 14,000 MPD rows/s on two cores (README); the offline
importer builds the store files directly and is the way Neo4j itself loads big data
sets. It needs the database stopped and empty, so it only runs against an instance that
``tunegraph neo4j start`` manages: stop it, import, start it again with the same port,
data directory, password and memory. The jars are the ones the server already runs on.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tunegraph.graphstore import local_server
from tunegraph.graphstore.errors import GraphStoreError
from tunegraph.graphstore.local_server import InstanceRecord, LocalPaths

ADMIN_MAIN = "org.neo4j.cli.AdminTool"
_STAGE = re.compile(r"^\(\d+/\d+\) (?P<stage>[A-Za-z ]+?) \d{4}-")


class OfflineImportError(GraphStoreError):
    """The offline importer refused or failed; the message says why and where its log is."""


@dataclass(frozen=True)
class InputGroup:
    """One --nodes or --relationships argument: the header file, then the data files.

    ``files`` may hold regular expressions on file names (the importer's own syntax), so
    a thousand slices do not make a thousand arguments.
    """

    entity: str  # "nodes" | "relationships"
    label: str
    header: Path
    files: tuple[str, ...]
    multiline: tuple[Path, ...] = ()


def import_command(
    java: str, lib: Path, groups: list[InputGroup], heap_mb: int, report: Path
) -> list[str]:
    """The importer's command line; the database is the default one, replaced."""
    command = [
        java, f"-Xmx{heap_mb}m", *local_server.JAVA_FLAGS, "-cp", f"{lib}/*", ADMIN_MAIN,
        "database", "import", "full", "neo4j",
        "--overwrite-destination=true", f"--report-file={report}",
    ]  # fmt: skip
    multiline = [f for g in groups for f in g.multiline]
    if multiline:
        names = ",".join(map(str, multiline))
        command += ["--multiline-fields-format=v2", f"--multiline-fields={names}"]
    for group in groups:
        files = [str(group.header), *group.files, *map(str, group.multiline)]
        if len(files) > 1:
            command.append(f"--{group.entity}={group.label}={','.join(files)}")
    return command


def offline_import(
    paths: LocalPaths,
    record: InstanceRecord,
    groups: list[InputGroup],
    work_dir: Path,
    on_stage: Callable[[str], None] | None = None,
) -> InstanceRecord:
    """Stop the instance, import ``groups`` into its default database, start it again.

    The caller has checked that the database is empty. If the import fails, the
    half-written store is removed so the instance comes back with an empty database.
    Returns the record of the restarted instance.
    """
    say = on_stage or (lambda _: None)
    java = shutil.which("java")
    if java is None:
        raise OfflineImportError("java not found on PATH: the offline importer needs Java 17+")
    lib, _ = local_server.ensure_jars(paths)
    data_dir = Path(record.data_dir)
    log_file = work_dir / "neo4j-admin-import.log"
    command = import_command(
        java, lib, groups, max(1024, record.heap_mb), work_dir / "import.report"
    )
    say("stopping Neo4j")
    local_server.stop(paths, record.port)
    env = {**os.environ, "NEO4J_HOME": str(data_dir), "NEO4J_CONF": str(work_dir)}
    failure: str | None = "interrupted"
    try:
        say("offline import")
        if _run_logged(command, env, log_file, say) == 0 and "IMPORT DONE" in _read(log_file):
            failure = None
        else:
            failure = _failure_line(_read(log_file))
    finally:
        if failure is not None:
            _remove_store(data_dir)  # a half-built store would not start
        say("starting Neo4j")
        restarted, _ = local_server.start(record.spec(), paths)
    if failure is not None:
        raise OfflineImportError(
            f"the offline import failed ({failure}); the database was left empty. "
            f"Full log: {log_file}"
        )
    return restarted


def _run_logged(
    command: list[str], env: dict[str, str], log_file: Path, say: Callable[[str], None]
) -> int:
    """Run the importer, copying its output to the log and its stage names to ``say``."""
    with log_file.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        assert process.stdout is not None
        try:
            for line in process.stdout:
                log.write(line)
                if match := _STAGE.match(line.strip()):
                    say(f"offline import: {match.group('stage').lower()}")
            return process.wait()
        except BaseException:
            process.kill()
            process.wait()
            raise


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _remove_store(data_dir: Path) -> None:
    for kind in ("databases", "transactions"):
        shutil.rmtree(data_dir / "data" / kind / "neo4j", ignore_errors=True)


def _failure_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if "exceeds the set fault tolerance" in line or line.startswith("Error in input data"):
            return line[:300]
    for line in reversed(lines):
        if "Exception" in line or "Error" in line or "FAILED" in line:
            return line[:300]
    return lines[-1][:300] if lines else "no output"
