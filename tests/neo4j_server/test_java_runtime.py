"""Which Java starts Neo4j: JAVA_HOME first, a version Neo4j 5.26 runs on, else one line
that says what to install (no Neo4j started: the check comes before anything else)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from support.fake_java import fake_java_home
from support.neo4j_fixtures import free_port
from tunegraph.cli.main import cli
from tunegraph.neo4j_server.errors import LauncherError
from tunegraph.neo4j_server.java_runtime import find_java, java_major_version

JDKS = Path("/usr/lib/jvm")


@pytest.mark.parametrize(("version", "major"), [("26", 26), ("11.0.2", 11), ("1.8.0_292", 8)])
def test_a_java_neo4j_does_not_run_on_is_refused_in_one_line(
    tmp_path: Path, version: str, major: int
) -> None:
    home = fake_java_home(tmp_path / "jdk", version)
    assert java_major_version(str(home / "bin" / "java")) == major
    with pytest.raises(LauncherError) as info:
        find_java(home, "5.26")
    message = str(info.value)
    assert f"is Java {major}" in message and "install Java 21 or 17" in message
    assert "JAVA_HOME" in message and "\n" not in message


@pytest.mark.parametrize("version", ["17.0.15", "21.0.7", "25.0.3"])
def test_17_21_and_25_are_taken_from_java_home(tmp_path: Path, version: str) -> None:
    home = fake_java_home(tmp_path / "jdk", version)
    assert find_java(home, "5.26") == str(home / "bin" / "java")


def test_a_java_home_without_java_says_so(tmp_path: Path) -> None:
    with pytest.raises(LauncherError, match=r"JAVA_HOME=.* has no bin/java; install Java 21"):
        find_java(tmp_path, "5.26")


@pytest.mark.parametrize("jdk", ["temurin-25-jdk-amd64", "java-17-openjdk-amd64"])
def test_the_real_jdks_here_are_accepted(jdk: str) -> None:
    home = JDKS / jdk
    if not (home / "bin" / "java").exists():
        pytest.skip(f"no {home} on this machine")
    assert find_java(home, "5.26") == str(home / "bin" / "java")


def test_neo4j_start_with_java_26_is_one_line(tmp_path: Path) -> None:
    env = {
        "JAVA_HOME": str(fake_java_home(tmp_path / "jdk", "26")),
        "TUNEGRAPH_STATE_DIR": str(tmp_path / "state"),
        "TUNEGRAPH_CACHE_DIR": str(tmp_path / "cache"),
    }
    result = CliRunner().invoke(cli, ["neo4j", "start", "--port", str(free_port())], env=env)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()  # "Starting Neo4j on …", then the error
    assert "Traceback" not in result.output
    assert [line for line in lines if line.startswith("Error:")] == lines[-1:]
    assert "Java 26" in lines[-1] and "install Java 21 or 17" in lines[-1]
    assert not (tmp_path / "cache").exists()  # refused before fetching anything
