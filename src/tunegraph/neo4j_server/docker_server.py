"""Neo4j through `docker compose` where a Docker engine answers (the repository's compose file).

Only used when `docker info` succeeds; machines without an engine run Neo4j from
Maven Central's jars instead (`local_server`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tunegraph.neo4j_server.errors import LauncherError


def docker_engine_answers(timeout_s: float = 5.0) -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    try:
        result = subprocess.run(
            [docker, "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0


def compose(compose_file: Path, action: list[str], password: str, port: int) -> None:
    env = {**os.environ, "NEO4J_PASSWORD": password, "NEO4J_BOLT_PORT": str(port)}
    result = subprocess.run(
        ["docker", "compose", "-f", str(compose_file), *action],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise LauncherError(f"docker compose {' '.join(action)} failed: {last[0]}")
