"""Session-wide fixtures: real services (Neo4j, the Spotify simulator) start once per session.

Markers, set here by fixture use so no test has to remember them: ``neo4j`` for every test
that reaches a Neo4j (it needs Java and the jars), ``tensorflow`` for every test of a
trained model; modules that import TensorFlow themselves say so with ``pytestmark``.
``pytest -m "not neo4j and not tensorflow"`` runs the rest in seconds.
"""

from __future__ import annotations

import pytest

pytest_plugins = [
    "support.neo4j_fixtures",
    "support.simulator_fixtures",
]

NEO4J_FIXTURES = frozenset({"neo4j_paths", "neo4j_server", "neo4j_settings", "empty_graph"})
TENSORFLOW_FIXTURES = frozenset({"trained"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & NEO4J_FIXTURES:
            item.add_marker(pytest.mark.neo4j)
        if used & TENSORFLOW_FIXTURES:
            item.add_marker(pytest.mark.tensorflow)
