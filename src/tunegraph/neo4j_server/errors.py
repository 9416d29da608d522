"""Errors of running Neo4j locally; graph-store errors, so the CLI maps them like the rest."""

from __future__ import annotations

from tunegraph.graphstore.errors import GraphStoreError


class LauncherError(GraphStoreError):
    """The local Neo4j could not be started, stopped or inspected."""


class OfflineImportError(GraphStoreError):
    """The offline importer refused or failed; the message says why and where its log is."""
