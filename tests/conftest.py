"""Session-wide fixtures: real services (Neo4j, the Spotify simulator) start once per session.

The tiers (``make test-fast`` runs ``-m "not neo4j and not tensorflow"``: no Java, no
TensorFlow) and how tests get their ``neo4j`` and ``tensorflow`` markers are in
``support/tiers.py``.
"""

from __future__ import annotations

pytest_plugins = [
    "support.tiers",
    "support.neo4j_fixtures",
    "support.simulator_fixtures",
]
