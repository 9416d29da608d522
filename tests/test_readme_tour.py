"""Every command of the README's 60-second tour runs, in order, as a user would type it.

The tour's `tunegraph neo4j start` is the one line not run: the session's Neo4j stands
in for it (NEO4J_URI/NEO4J_PASSWORD point there), and `tunegraph neo4j` has its own
tests. The simulator's port is swapped for a free one so the tour never meets a user's.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

from support.neo4j_fixtures import free_port
from tunegraph.graphstore.settings import Neo4jSettings

README = Path(__file__).resolve().parents[1] / "README.md"
BIN = Path(sys.executable).parent


def tour_commands() -> list[str]:
    text = README.read_text()
    section = text.split("## A 60-second tour", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```console\n(.*?)```", section, flags=re.S)
    lines = [line for block in blocks for line in block.splitlines()]
    commands, current = [], ""
    for line in lines:
        if line.startswith("$ ") or current:
            current += (line[2:] if line.startswith("$ ") and not current else line).rstrip("\\")
            if line.endswith("\\"):
                continue
            commands.append(current.strip())
            current = ""
    return commands


def wait_for_port(port: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listened on {port} within {timeout_s} s")


def test_the_readme_tour_has_the_steps_it_promises() -> None:
    joined = "\n".join(tour_commands())
    for step in ("tunegraph neo4j start", "tunegraph simulator serve", "tunegraph crawl",
                 "tunegraph query", "tunegraph export", "tunegraph train", "tunegraph evaluate",
                 "tunegraph recommend", "tunegraph viz crawl"):  # fmt: skip
        assert step in joined, f"the tour lost its `{step}` step"


def test_every_tour_command_runs(empty_graph: Neo4jSettings, tmp_path: Path) -> None:
    port = str(free_port())
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "NEO4J_URI": empty_graph.uri, "NEO4J_PASSWORD": empty_graph.password}  # fmt: skip
    background: list[subprocess.Popen[bytes]] = []
    try:
        for command in tour_commands():
            command = command.replace("8765", port)
            if command.startswith("tunegraph neo4j start"):
                continue  # the session's Neo4j stands in for it
            if command.startswith("export "):
                for assignment in shlex.split(command)[1:]:
                    name, _, value = assignment.partition("=")
                    env[name] = value
                continue
            if command.endswith("&"):
                background.append(subprocess.Popen(
                    ["bash", "-c", command.rstrip("& ")], cwd=tmp_path, env=env,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                ))  # fmt: skip
                wait_for_port(int(port))
                continue
            result = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env,
                                    capture_output=True, text=True, timeout=300)  # fmt: skip
            assert result.returncode == 0, f"`{command}` failed:\n{result.stdout}\n{result.stderr}"
    finally:
        for process in background:
            process.terminate()
            process.wait(timeout=30)
    assert (tmp_path / "out" / "crawl.png").stat().st_size > 10_000
