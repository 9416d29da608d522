"""Connection settings for Neo4j, built once at the edge (CLI or a test) and passed down."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_URI = "bolt://127.0.0.1:7687"
DEFAULT_USER = "neo4j"
# Neo4j wants passwords of at least 8 characters; the local launcher and
# docker-compose.yml both set this one unless told otherwise.
DEFAULT_PASSWORD = "tunegraph"


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str = DEFAULT_URI
    user: str = DEFAULT_USER
    password: str = DEFAULT_PASSWORD
    database: str | None = None  # None: the server's default database
    connection_timeout_s: float = 10.0

    def __repr__(self) -> str:  # never print the password
        return (
            f"Neo4jSettings(uri={self.uri!r}, user={self.user!r}, password='***', "
            f"database={self.database!r})"
        )
