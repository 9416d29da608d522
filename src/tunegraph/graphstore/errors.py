"""Domain errors of the graph store: one clear sentence each, mapped by the CLI."""

from __future__ import annotations

from tunegraph.errors import TunegraphError


class GraphStoreError(TunegraphError):
    """Base class: the message is meant for a user, on one line."""


class Neo4jUnavailable(GraphStoreError):
    """The server cannot be reached (refused connection, down, wrong address)."""


class Neo4jAuthFailed(GraphStoreError):
    """The server refused the credentials."""


class QueryFailed(GraphStoreError):
    """A query was rejected: syntax error, unknown database, write in a read transaction…"""
