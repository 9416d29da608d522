"""Neo4j's offline importer (``neo4j-admin database import full``) on tunegraph's local Neo4j.

Transactional writes top out near 14,000 MPD rows/s on two cores (README); the offline
importer builds the store files directly and is the way Neo4j itself loads big data
sets. It needs the database stopped and empty, so it only runs against an instance that
``tunegraph neo4j start`` manages: stop it, import, start it again with the same port,
data directory, password and memory. The jars are the ones the server already runs on.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tunegraph.graphstore import local_server
from tunegraph.graphstore.errors import GraphStoreError, LauncherError
from tunegraph.graphstore.local_server import InstanceRecord, LocalPaths

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


def import_arguments(groups: list[InputGroup], report: Path) -> list[str]:
    """neo4j-admin's arguments: a full import that replaces the default database."""
    arguments = [
        "database", "import", "full", "neo4j",
        "--overwrite-destination=true", f"--report-file={report}",
    ]  # fmt: skip
    multiline = [f for g in groups for f in g.multiline]
    if multiline:
        names = ",".join(map(str, multiline))
        arguments += ["--multiline-fields-format=v2", f"--multiline-fields={names}"]
    for group in groups:
        files = [str(group.header), *group.files, *map(str, group.multiline)]
        if len(files) > 1:
            arguments.append(f"--{group.entity}={group.label}={','.join(files)}")
    return arguments


def offline_import(
    paths: LocalPaths,
    record: InstanceRecord,
    groups: list[InputGroup],
    work_dir: Path,
    on_stage: Callable[[str], None] | None = None,
) -> InstanceRecord:
    """Stop the instance, import ``groups`` into its default database, start it again.

    The launcher runs the importer and then the server in one JVM. The caller has
    checked that the database is empty; if the import fails or is interrupted (Ctrl-C,
    an exception from ``on_stage``), the launcher is stopped, the half-written store
    removed, and the instance comes back with an empty database. Returns the record of
    the restarted instance.
    """
    say = on_stage or (lambda _: None)
    args_file = work_dir / "neo4j-admin-import.args"
    args_file.write_text("\n".join(import_arguments(groups, work_dir / "import.report")) + "\n")

    def stage(line: str) -> None:
        if match := _STAGE.match(line.strip()):
            say(f"offline import: {match.group('stage').lower()}")
        elif line.startswith(local_server.IMPORT_DONE_MARK):
            say("starting Neo4j")

    say("stopping Neo4j")
    local_server.stop(paths, record.port)
    say("offline import")
    try:
        restarted, _ = local_server.start(record.spec(), paths, args_file, stage)
    except BaseException as exc:
        local_server.stop(paths, record.port)  # an interrupted import must not go on
        _remove_store(Path(record.data_dir))  # a half-built store would not start
        say("starting Neo4j on an empty database")
        local_server.start(record.spec(), paths)
        if isinstance(exc, LauncherError):
            raise OfflineImportError(
                f"the offline import failed; the database was left empty: {exc}"
            ) from None
        raise
    return restarted


def _remove_store(data_dir: Path) -> None:
    for kind in ("databases", "transactions"):
        shutil.rmtree(data_dir / "data" / kind / "neo4j", ignore_errors=True)
