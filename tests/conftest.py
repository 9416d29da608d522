"""Session-wide fixtures: real services (Neo4j, the Spotify simulator) start once per session."""

pytest_plugins = [
    "support.neo4j_fixtures",
    "support.simulator_fixtures",
]
