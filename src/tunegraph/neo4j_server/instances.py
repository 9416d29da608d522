"""What runs where: one small JSON record per Bolt port, holding the instance's password.

Any later command (and `tunegraph neo4j status`) finds an instance with nothing more
than NEO4J_URI, so the records and their folder are the owner's alone (0600/0700).
A copy of the record lives in the data folder too (``MARKER``): it says who serves
that folder, so a second start there is refused in one line, and an instance whose
record was deleted can still be found (and stopped) from its data folder.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from tunegraph.graphstore.bolt_uri import DEFAULT_BOLT_PORT, parse_bolt_uri
from tunegraph.neo4j_server.paths import LocalPaths

LAUNCHER_CLASS = "TunegraphNeo4j"
MARKER = "tunegraph-neo4j.json"  # in the data folder: the instance serving it


@dataclass(frozen=True)
class InstanceSpec:
    port: int = DEFAULT_BOLT_PORT
    data_dir: Path | None = None
    password: str = "tunegraph"
    heap_mb: int = 1024
    pagecache_mb: int = 512
    ready_timeout_s: float = 120.0


@dataclass(frozen=True)
class InstanceRecord:
    port: int
    pid: int
    data_dir: str
    log_file: str
    uri: str
    user: str
    password: str
    version: str
    started_at: float
    backend: str = "local"
    heap_mb: int = InstanceSpec.heap_mb
    pagecache_mb: int = InstanceSpec.pagecache_mb

    def spec(self) -> InstanceSpec:
        """What to start again on this port and data directory (after an offline import)."""
        return InstanceSpec(
            port=self.port,
            data_dir=Path(self.data_dir),
            password=self.password,
            heap_mb=self.heap_mb,
            pagecache_mb=self.pagecache_mb,
        )

    def is_running(self) -> bool:
        return is_launcher_process(self.pid)


def is_launcher_process(pid: int) -> bool:
    """Whether ``pid`` is a live launcher JVM (a recycled pid of another program is not)."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            reap(pid)
            return False
        return any(LAUNCHER_CLASS in part for part in process.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def read_record(paths: LocalPaths, port: int) -> InstanceRecord | None:
    file = paths.record_file(port)
    try:
        return InstanceRecord(**json.loads(file.read_text()))
    except (FileNotFoundError, json.JSONDecodeError, TypeError):
        return None


def record_for_uri(paths: LocalPaths, uri: str) -> InstanceRecord | None:
    """The record of the loopback port ``uri`` names, running or not; None for other hosts.

    Raises ValueError when ``uri`` has a port that is no port.
    """
    address = parse_bolt_uri(uri)
    return read_record(paths, address.port) if address.is_loopback else None


def running_instance(paths: LocalPaths, uri: str) -> InstanceRecord | None:
    """The running tunegraph-managed instance that ``uri`` reaches, if there is one."""
    record = record_for_uri(paths, uri)
    return record if record is not None and record.is_running() else None


def recorded_password(paths: LocalPaths, uri: str) -> str | None:
    """The password `tunegraph neo4j start` recorded for the loopback port ``uri`` names."""
    record = record_for_uri(paths, uri)
    return record.password if record else None


def list_instances(paths: LocalPaths) -> list[tuple[InstanceRecord, bool]]:
    folder = paths.state_dir / "instances"
    records = []
    for file in sorted(folder.glob("*.json")) if folder.exists() else []:
        record = read_record(paths, int(file.stem))
        if record is not None:
            records.append((record, record.is_running()))
    return records


def private_dir(folder: Path) -> Path:
    """Create ``folder`` (and missing parents) readable by its owner only (0700).

    A folder that exists already keeps its mode: it may be the user's own.
    """
    if not folder.is_dir():
        private_dir(folder.parent)
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
    return folder


def write_record(paths: LocalPaths, record: InstanceRecord) -> None:
    """The record holds the password: 0600 from its first byte, in a 0700 folder."""
    file = paths.record_file(record.port)
    private_dir(file.parent).chmod(0o700)  # the records' folder is always ours
    _write_private(file, record)


def write_marker(record: InstanceRecord) -> None:
    """The record's copy in its data folder (private too: the store lives there)."""
    _write_private(Path(record.data_dir) / MARKER, record)


def _write_private(file: Path, record: InstanceRecord) -> None:
    tmp = file.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)  # O_CREAT's mode applies to a new file only
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(json.dumps(asdict(record), indent=2))
    tmp.replace(file)


def read_marker(data_dir: Path) -> InstanceRecord | None:
    """The record kept in a data folder, if any (running or not)."""
    try:
        return InstanceRecord(**json.loads((data_dir / MARKER).read_text()))
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError, TypeError):
        return None


def forget(paths: LocalPaths, record: InstanceRecord) -> None:
    """Remove the record and its marker (where they still describe ``record``'s process)."""
    for file in (paths.record_file(record.port), Path(record.data_dir) / MARKER):
        copy = read_marker(file.parent) if file.name == MARKER else read_record(paths, record.port)
        if copy is not None and copy.pid == record.pid:
            file.unlink(missing_ok=True)
