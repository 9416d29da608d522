"""Neo4j's offline importer (``neo4j-admin database import full``) on tunegraph's local Neo4j.

The offline importer builds the store files directly and is the way Neo4j itself loads
big data sets. It needs the database stopped and empty, so it only runs against an
instance that ``tunegraph neo4j start`` manages: stop it, import, start it again with
the same port, data directory, password and memory. The jars are the ones the server
already runs on.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tunegraph.graphstore.mpd.offline import InputGroup
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.neo4j_server import local_server
from tunegraph.neo4j_server.errors import LauncherError, OfflineImportError
from tunegraph.neo4j_server.instances import InstanceRecord, running_instance
from tunegraph.neo4j_server.paths import LocalPaths

_STAGE = re.compile(r"^\(\d+/\d+\) (?P<stage>[A-Za-z ]+?) \d{4}-")


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


def local_instance(paths: LocalPaths, settings: Neo4jSettings) -> InstanceRecord:
    """The running tunegraph-managed instance behind ``settings.uri``, or a clear error."""
    record = running_instance(paths, settings.uri)
    if record is None:
        raise OfflineImportError(
            f"--bulk stops and restarts the database, so it needs a Neo4j started by "
            f"`tunegraph neo4j start`; none runs at {settings.uri}. Without --bulk, "
            "the import works with any server"
        )
    if settings.database not in (None, "neo4j"):
        raise OfflineImportError("--bulk loads the default database 'neo4j' only")
    return record


@dataclass(frozen=True)
class LocalOfflineLoader:
    """The ``graphstore.mpd.offline.OfflineLoader`` of an instance `neo4j start` runs."""

    paths: LocalPaths
    record: InstanceRecord

    @property
    def scratch_dir(self) -> Path:
        return Path(self.record.data_dir)

    def load(
        self, groups: list[InputGroup], work_dir: Path, on_stage: Callable[[str], None]
    ) -> None:
        offline_import(self.paths, self.record, groups, work_dir, on_stage)


def local_offline_loader(paths: LocalPaths, settings: Neo4jSettings) -> LocalOfflineLoader:
    """The loader for ``import mpd --bulk``: checks first that ``settings`` reach our instance."""
    return LocalOfflineLoader(paths, local_instance(paths, settings))
