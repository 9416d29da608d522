"""Run a real Neo4j 5.26 on this machine without Docker: jars from Maven Central, our launcher.

`tunegraph neo4j start|stop|status` calls `start`, `stop` and `list_instances`. An
instance is chosen by its Bolt port and data directory; what runs is recorded in a
small JSON file per port under the state directory, so any later command (and
`status`) finds it with nothing more than NEO4J_URI.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

import psutil

from tunegraph.graphstore.errors import LauncherError
from tunegraph.graphstore.java_runtime import find_java

READY_MARK = "TUNEGRAPH-NEO4J READY"
IMPORT_DONE_MARK = "TUNEGRAPH-NEO4J IMPORT DONE"
LAUNCHER_CLASS = "TunegraphNeo4j"
NEO4J_LINE = "5.26"
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


@dataclass(frozen=True)
class LocalPaths:
    """Where jars are cached (outside the repository) and where instances are recorded."""

    cache_dir: Path
    state_dir: Path
    java_home: Path | None = None  # JAVA_HOME: its bin/java comes before the one on PATH

    @property
    def jar_dir(self) -> Path:
        return self.cache_dir / f"neo4j-{NEO4J_LINE}" / "lib"

    def record_file(self, port: int) -> Path:
        return self.state_dir / "instances" / f"{port}.json"

    def default_data_dir(self, port: int) -> Path:
        return self.state_dir / ("neo4j" if port == 7687 else f"neo4j-{port}")


def default_paths(environ: Mapping[str, str], home: Path) -> LocalPaths:
    """XDG-style places, overridden by TUNEGRAPH_CACHE_DIR / TUNEGRAPH_STATE_DIR.

    The caller hands in the environment (the CLI, a test fixture, a benchmark), so the
    library itself never reads it.
    """
    xdg_cache = environ.get("XDG_CACHE_HOME") or str(home / ".cache")
    cache = environ.get("TUNEGRAPH_CACHE_DIR") or str(Path(xdg_cache) / "tunegraph")
    state = environ.get("TUNEGRAPH_STATE_DIR") or str(home / ".local" / "share" / "tunegraph")
    java_home = environ.get("JAVA_HOME") or None
    return LocalPaths(Path(cache), Path(state), Path(java_home) if java_home else None)


@dataclass(frozen=True)
class InstanceSpec:
    port: int = 7687
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
        return _is_our_process(self.pid)


def _is_our_process(pid: int) -> bool:
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            _reap(pid)
            return False
        return any(LAUNCHER_CLASS in part for part in process.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _require_tool(name: str, hint: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise LauncherError(f"{name} not found on PATH: {hint}")
    return path


def ensure_jars(paths: LocalPaths, version: str | None = None) -> tuple[Path, str]:
    """Fetch the Neo4j 5.26 jars once with Maven; later starts reuse the cache."""
    lib = paths.jar_dir
    marker = lib / "VERSION"
    if marker.exists():
        return lib, marker.read_text().strip()
    mvn = _require_tool(
        "mvn", "install Maven (e.g. `apt-get install maven`) or run Neo4j with Docker"
    )
    staging = lib.with_name("lib.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    pom = resources.files("tunegraph.graphstore") / "launcher" / "pom.xml"
    with resources.as_file(pom) as pom_path:
        command = [
            mvn, "-q", "-B", "-f", str(pom_path), "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}", "-DincludeScope=runtime",
        ]  # fmt: skip
        if version:
            command.append(f"-Dneo4j.version={version}")
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stdout + result.stderr).strip().splitlines()[-1:] or ["no output"]
        raise LauncherError(
            f"Maven could not fetch Neo4j {NEO4J_LINE} from Maven Central ({detail[0]}); "
            "check the network or ~/.m2/settings.xml"
        )
    found = sorted(staging.glob("neo4j-kernel-*.jar")) or sorted(staging.glob("neo4j-*.jar"))
    match = re.search(r"(\d+\.\d+\.\d+)", found[0].name) if found else None
    resolved = match.group(1) if match else "unknown"
    (staging / "VERSION").write_text(resolved + "\n")
    shutil.rmtree(lib, ignore_errors=True)
    staging.rename(lib)
    return lib, resolved


def launcher_command(lib: Path, java: str) -> list[str]:
    """The launcher's main class on the jar class path, compiled once into the cache.

    ``java File.java`` would compile the source on every start (about 3 s here); a JDK
    without javac still gets that source-file mode.
    """
    source = resources.files("tunegraph.graphstore") / "launcher" / f"{LAUNCHER_CLASS}.java"
    code = source.read_bytes()
    classes = lib.parent / "launcher" / hashlib.sha256(code).hexdigest()[:16]
    javac = Path(java).resolve().with_name("javac")
    if not (classes / f"{LAUNCHER_CLASS}.class").exists() and javac.exists():
        classes.parent.mkdir(parents=True, exist_ok=True)
        # a folder of its own, so two first starts at once cannot trip over each other
        staging = Path(tempfile.mkdtemp(prefix=f"{classes.name}.", dir=classes.parent))
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
    if (classes / f"{LAUNCHER_CLASS}.class").exists():
        return ["-cp", f"{classes}{os.pathsep}{lib}/*", LAUNCHER_CLASS]
    with resources.as_file(source) as source_path:  # a real file inside an installed package
        return ["-cp", f"{lib}/*", str(source_path)]


def read_record(paths: LocalPaths, port: int) -> InstanceRecord | None:
    file = paths.record_file(port)
    try:
        return InstanceRecord(**json.loads(file.read_text()))
    except (FileNotFoundError, json.JSONDecodeError, TypeError):
        return None


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


def _write_record(paths: LocalPaths, record: InstanceRecord) -> None:
    """The record holds the password: 0600 from its first byte, in a 0700 folder."""
    file = paths.record_file(record.port)
    private_dir(file.parent).chmod(0o700)  # the records' folder is always ours
    tmp = file.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)  # O_CREAT's mode applies to a new file only
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(json.dumps(asdict(record), indent=2))
    tmp.replace(file)


def start(
    spec: InstanceSpec,
    paths: LocalPaths,
    import_args: Path | None = None,
    on_log: Callable[[str], None] | None = None,
) -> tuple[InstanceRecord, bool]:
    """Start an instance (or find it running); returns the record and whether it was started.

    ``import_args``: a file of neo4j-admin import arguments the launcher runs first, in the
    same JVM (``offline_import``); the ready timeout counts from the end of the import.
    ``on_log`` sees the launcher's output line by line while it starts.
    """
    data_dir = (spec.data_dir or paths.default_data_dir(spec.port)).resolve()
    existing = read_record(paths, spec.port)
    if existing and existing.is_running():
        if Path(existing.data_dir) != data_dir:
            raise LauncherError(
                f"port {spec.port} is already served by tunegraph's Neo4j on "
                f"{existing.data_dir}; stop it or choose another --port"
            )
        return existing, False
    if _port_in_use(spec.port):
        raise LauncherError(
            f"port {spec.port} is in use by another program; choose another with --port"
        )
    if len(spec.password) < 8:
        raise LauncherError("the Neo4j password must be at least 8 characters")
    java = find_java(paths.java_home, NEO4J_LINE)
    lib, version = ensure_jars(paths)

    private_dir(data_dir)  # the password marker and the store live there
    log_file = data_dir / "tunegraph-neo4j.log"
    launcher = launcher_command(lib, java)
    with log_file.open("ab") as log:
        log_start = log.tell()
        command = [
            java, f"-Xmx{spec.heap_mb}m", f"-Xms{min(spec.heap_mb, 256)}m", *JAVA_FLAGS,
            *launcher, "--home", str(data_dir), "--port", str(spec.port),
            "--pagecache-mb", str(spec.pagecache_mb),
        ]  # fmt: skip
        if import_args is not None:
            command += ["--import-args", str(import_args)]
        process = subprocess.Popen(
            command,
            # the password travels in the child's environment, never on its command line
            env={**os.environ, "TUNEGRAPH_NEO4J_PASSWORD": spec.password},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in the caller's terminal must not kill it
        )
    record = InstanceRecord(
        port=spec.port,
        pid=process.pid,
        data_dir=str(data_dir),
        log_file=str(log_file),
        uri=f"bolt://127.0.0.1:{spec.port}",
        user="neo4j",
        password=spec.password,
        version=version,
        started_at=time.time(),
        heap_mb=spec.heap_mb,
        pagecache_mb=spec.pagecache_mb,
    )
    _write_record(paths, record)
    _wait_ready(process, log_file, log_start, spec.ready_timeout_s, import_args is not None, on_log)
    return record, True


def _wait_ready(
    process: subprocess.Popen[bytes],
    log_file: Path,
    offset: int,
    timeout_s: float,
    importing: bool = False,
    on_log: Callable[[str], None] | None = None,
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


def stop(paths: LocalPaths, port: int, timeout_s: float = 60.0) -> InstanceRecord | None:
    """Stop the instance on this port cleanly (SIGTERM, then SIGKILL after the timeout)."""
    record = read_record(paths, port)
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
            _reap(record.pid)
    paths.record_file(port).unlink(missing_ok=True)
    return record
