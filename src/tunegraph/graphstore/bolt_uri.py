"""The one reading of a Bolt URI: host, port (7687 when absent), whether it is loopback."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

DEFAULT_BOLT_PORT = 7687
# The names tunegraph's local Neo4j answers on; 127.0.0.2 and the like are not it.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class BoltAddress:
    host: str  # "" when the URI names none
    port: int
    password: str | None = None  # one written into the URI (bolt://user:pw@host): a secret

    @property
    def is_loopback(self) -> bool:
        return self.host in LOOPBACK_HOSTS


def parse_bolt_uri(uri: str) -> BoltAddress:
    """Host and port of a bolt:// or neo4j:// URI; ValueError for a port that is no port."""
    parsed = urlparse(uri)
    port = parsed.port  # raises ValueError for "bolt://host:x" or a port out of range
    return BoltAddress(
        parsed.hostname or "", DEFAULT_BOLT_PORT if port is None else port, parsed.password
    )
