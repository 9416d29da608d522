"""The test tiers: markers set by fixture use, and guards that keep the fast tier honest.

``neo4j`` marks every test that reaches a Neo4j (it needs Java and the jars): any test
whose fixtures include one of ``NEO4J_FIXTURES``, directly or through other fixtures.
``tensorflow`` marks every test of a trained model (``TENSORFLOW_FIXTURES``); a module
that imports TensorFlow itself says so in one line, ``pytestmark = pytest.mark.tensorflow``.

When a run deselects ``tensorflow`` (``make test-fast``), such modules are not even
imported, and importing TensorFlow anywhere else fails with a message naming the fix, so
a test that needs TensorFlow but lacks the marker breaks the fast tier instead of
slowing it down.
"""

from __future__ import annotations

import importlib.abc
import itertools
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import pytest

# pytest's own `-m` evaluator (pytest is pinned to 9.x in the dev extras)
from _pytest.mark.expression import Expression

NEO4J_FIXTURES = frozenset({"neo4j_paths", "neo4j_server", "neo4j_settings", "empty_graph"})
TENSORFLOW_FIXTURES = frozenset({"trained"})
TENSORFLOW_PACKAGES = ("tensorflow", "tensorflow_recommenders", "tf_keras")
MODULE_MARKED_TENSORFLOW = re.compile(r"^pytestmark = pytest\.mark\.tensorflow\b", re.M)


def deselects(config: pytest.Config, marker: str) -> bool:
    """Whether this run's ``-m`` expression drops every test carrying ``marker``, whatever
    other markers of ours it carries too (``-m neo4j`` keeps a test marked both)."""
    expression = config.option.markexpr
    if not expression:
        return False
    ours = [line.split(":", 1)[0].strip() for line in config.getini("markers")]
    others = [name for name in ours if name != marker]
    compiled = Expression.compile(expression)
    for size in range(len(others) + 1):
        for combination in itertools.combinations(others, size):
            carried = {marker, *combination}
            if compiled.evaluate(lambda name, carried=carried, **_: name in carried):
                return False
    return True


class TensorFlowRefused(importlib.abc.MetaPathFinder):
    """Refuses TensorFlow's packages in a run that deselects the tests needing them."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> None:
        if fullname.split(".", 1)[0] in TENSORFLOW_PACKAGES:
            raise ImportError(
                f"{fullname} imported in a run that deselects tensorflow: mark the test "
                "`tensorflow` (pytest.mark.tensorflow, or the `trained` fixture)"
            )


def pytest_configure(config: pytest.Config) -> None:
    already = [name for name in TENSORFLOW_PACKAGES if name in sys.modules]
    if deselects(config, "tensorflow") and not already:
        sys.meta_path.insert(0, TensorFlowRefused())


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Skip, unread by Python, a module marked ``tensorflow`` as a whole when that is dropped."""
    if collection_path.suffix != ".py" or not collection_path.name.startswith("test_"):
        return None
    if not deselects(config, "tensorflow"):
        return None
    if MODULE_MARKED_TENSORFLOW.search(collection_path.read_text(encoding="utf-8")):
        return True
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & NEO4J_FIXTURES:
            item.add_marker(pytest.mark.neo4j)
        if used & TENSORFLOW_FIXTURES:
            item.add_marker(pytest.mark.tensorflow)
