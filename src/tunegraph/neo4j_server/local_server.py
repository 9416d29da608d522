"""Run a real Neo4j on this machine without Docker: jars from Maven Central, our launcher.

`tunegraph neo4j start|stop|status` calls `start`, `stop` and `list_instances`. An
instance is chosen by its Bolt port and data directory; what runs is recorded per port
(``instances``), so any later command finds it with nothing more than NEO4J_URI.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from tunegraph.neo4j_server.errors import LauncherError
from tunegraph.neo4j_server.instances import (
    InstanceRecord,
    InstanceSpec,
    forget,
    private_dir,
    read_marker,
    read_record,
    reap,
    write_marker,
    write_record,
)
from tunegraph.neo4j_server.jars import ensure_jars, launcher_command
from tunegraph.neo4j_server.java_runtime import find_java
from tunegraph.neo4j_server.paths import LocalPaths

READY_MARK = "TUNEGRAPH-NEO4J READY"
IMPORT_DONE_MARK = "TUNEGRAPH-NEO4J IMPORT DONE"
JAVA_FLAGS = (
    # Neo4j's own launcher passes these on Java 17; without them it fails at start.
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-XX:+UseG1GC",
    "-XX:+ExitOnOutOfMemoryError",
)

OnLog = Callable[[str], None]


def start(
    spec: InstanceSpec,
    paths: LocalPaths,
    import_args: Path | None = None,
    on_log: OnLog | None = None,
) -> tuple[InstanceRecord, bool]:
    """Start an instance (or find it running); returns the record and whether it was started.

    ``import_args``: a file of neo4j-admin import arguments the launcher runs first, in the
    same JVM (``offline_import``); the ready timeout counts from the end of the import.
    ``on_log`` sees the launcher's output line by line while it starts.
    """
    data_dir = (spec.data_dir or paths.default_data_dir(spec.port)).resolve()
    existing = _running_on_port(spec, paths, data_dir)
    if existing is not None:
        return existing, False
    java = find_java(paths.java_home, paths.neo4j_version)
    lib, version = ensure_jars(paths)
    private_dir(data_dir)  # the password marker and the store live there
    log_file = data_dir / "tunegraph-neo4j.log"
    command = [
        java, f"-Xmx{spec.heap_mb}m", f"-Xms{min(spec.heap_mb, 256)}m", *JAVA_FLAGS,
        *launcher_command(lib, java), "--home", str(data_dir), "--port", str(spec.port),
        "--pagecache-mb", str(spec.pagecache_mb),
    ]  # fmt: skip
    if import_args is not None:
        command += ["--import-args", str(import_args)]
    process, log_start = _spawn(command, log_file, spec.password)
    record = InstanceRecord(
        port=spec.port, pid=process.pid, data_dir=str(data_dir), log_file=str(log_file),
        uri=f"bolt://127.0.0.1:{spec.port}", user="neo4j", password=spec.password,
        version=version, started_at=time.time(), heap_mb=spec.heap_mb,
        pagecache_mb=spec.pagecache_mb,
    )  # fmt: skip
    write_record(paths, record)
    write_marker(record)
    try:
        _wait_ready(
            process, log_file, log_start, spec.ready_timeout_s, import_args is not None, on_log
        )
    except LauncherError:
        forget(paths, record)  # no stale record of a start that failed
        raise
    return record, True


def _running_on_port(
    spec: InstanceSpec, paths: LocalPaths, data_dir: Path
) -> InstanceRecord | None:
    """Our instance already serving this port and data directory; a LauncherError for any
    other use of the port or of the data directory, and for a password Neo4j would refuse."""
    served = read_marker(data_dir)
    if served is not None and served.is_running():
        if served.port != spec.port:
            raise LauncherError(
                f"{data_dir} is already served by tunegraph's Neo4j on port {served.port} "
                f"(pid {served.pid}); stop it first: tunegraph neo4j stop --port {served.port}"
            )
        if read_record(paths, spec.port) is None:
            write_record(paths, served)  # its record was deleted: found again
        return served
    existing = read_record(paths, spec.port)
    if existing and existing.is_running():
        if Path(existing.data_dir) != data_dir:
            raise LauncherError(
                f"port {spec.port} is already served by tunegraph's Neo4j on "
                f"{existing.data_dir}; stop it or choose another --port"
            )
        return existing
    if _port_in_use(spec.port):
        raise LauncherError(
            f"port {spec.port} is in use by another program; choose another with --port"
        )
    if len(spec.password) < 8:
        raise LauncherError("the Neo4j password must be at least 8 characters")
    return None


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _spawn(
    command: list[str], log_file: Path, password: str
) -> tuple[subprocess.Popen[bytes], int]:
    """The launcher, detached, its output appended to ``log_file``; and where this start's
    output begins in that log."""
    with log_file.open("ab") as log:
        log_start = log.tell()
        process = subprocess.Popen(
            command,
            # the password travels in the child's environment, never on its command line
            env={**os.environ, "TUNEGRAPH_NEO4J_PASSWORD": password},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in the caller's terminal must not kill it
        )
    return process, log_start


def _wait_ready(
    process: subprocess.Popen[bytes],
    log_file: Path,
    offset: int,
    timeout_s: float,
    importing: bool = False,
    on_log: OnLog | None = None,
) -> None:
    deadline = None if importing else time.monotonic() + timeout_s
    seen = 0
    while deadline is None or time.monotonic() < deadline:
        with log_file.open("rb") as log:
            log.seek(offset)
            text = log.read().decode(errors="replace")
        if on_log is not None:
            complete = text[: text.rfind("\n") + 1]
            for line in complete[seen:].splitlines():
                on_log(line)
            seen = len(complete)
        if deadline is None and IMPORT_DONE_MARK in text:
            deadline = time.monotonic() + timeout_s
        if READY_MARK in text:
            return
        if process.poll() is not None:
            raise LauncherError(
                f"Neo4j exited during start-up ({_last_error(text)}); full log: {log_file}"
            )
        time.sleep(0.25)
    process.terminate()
    raise LauncherError(
        f"Neo4j did not come up within {timeout_s:.0f} s; see {log_file} "
        "(a slow machine may need --timeout)"
    )


def _last_error(log_text: str) -> str:
    lines = [line.strip() for line in log_text.splitlines() if line.strip()]
    for line in lines:
        if line.startswith("TUNEGRAPH-NEO4J FAILED"):
            return line.removeprefix("TUNEGRAPH-NEO4J FAILED").strip()[:300]
    for line in lines:  # the offline importer's verdict on its input (`--import-args`)
        if "exceeds the set fault tolerance" in line or line.startswith("Error in input data"):
            return line[:300]
    for line in reversed(lines):
        if "Exception" in line or "Error" in line or "Caused by" in line:
            return line[:300]
    return lines[-1][:300] if lines else "no output"


def find_instance(
    paths: LocalPaths, port: int, data_dir: Path | None = None
) -> InstanceRecord | None:
    """The instance recorded on ``port``; without a record, the one whose data folder
    (``data_dir``, else the port's default) says it serves ``port``."""
    record = read_record(paths, port)
    if record is not None:
        return record
    marker = read_marker((data_dir or paths.default_data_dir(port)).resolve())
    return marker if marker is not None and marker.port == port else None


def stop(
    paths: LocalPaths, port: int, timeout_s: float = 60.0, data_dir: Path | None = None
) -> InstanceRecord | None:
    """Stop the instance on this port cleanly (SIGTERM, then SIGKILL after the timeout)."""
    record = find_instance(paths, port, data_dir)
    if record is None:
        return None
    if record.is_running():
        os.kill(record.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while record.is_running() and time.monotonic() < deadline:
            time.sleep(0.2)
        if record.is_running():
            os.kill(record.pid, signal.SIGKILL)
            time.sleep(0.5)
            reap(record.pid)
    forget(paths, record)
    return record
