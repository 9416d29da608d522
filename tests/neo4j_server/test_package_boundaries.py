"""The graph and the server that runs it stay apart: importing graphstore loads no server
code, and the server package needs neither the crawler, the model nor the simulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

FORBIDDEN_IN_SERVER = ("tunegraph.crawler", "tunegraph.model", "tunegraph.simulator")


def every_module(package: str) -> str:
    """A statement importing ``package`` and each of its modules, sub-packages' included."""
    return (
        f"import importlib, pkgutil, {package} as p; [importlib.import_module(m.name) "
        f"for m in pkgutil.walk_packages(p.__path__, '{package}.')]"
    )


def modules_loaded_by(statement: str, names: tuple[str, ...]) -> list[str]:
    """In a fresh interpreter: the loaded modules whose names hold any of ``names``."""
    report = f"print(json.dumps(sorted(m for m in sys.modules if any(n in m for n in {names!r}))))"
    code = f"import json, sys; {statement}; {report}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}  # the tunegraph under test
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    loaded: list[str] = json.loads(done.stdout)
    return loaded


@pytest.mark.parametrize(
    "statement", ["import tunegraph.graphstore", every_module("tunegraph.graphstore")]
)
def test_graphstore_does_not_import_the_server_package(statement: str) -> None:
    assert modules_loaded_by(statement, ("neo4j_server",)) == []


def test_the_server_package_imports_no_crawler_model_or_simulator() -> None:
    statement = every_module("tunegraph.neo4j_server")
    assert modules_loaded_by(statement, ("tunegraph.neo4j_server",))  # it did import them
    assert modules_loaded_by(statement, FORBIDDEN_IN_SERVER) == []
