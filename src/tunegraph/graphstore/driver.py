"""The async Neo4j driver's lifecycle, and the translation of driver errors into ours.

Every module of `graphstore` reaches Neo4j through `GraphStore`; nothing else in
tunegraph opens a driver.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, TypeVar

import neo4j
from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction
from neo4j import exceptions as neo4j_errors

from tunegraph.graphstore.errors import (
    GraphStoreError,
    Neo4jAuthFailed,
    Neo4jUnavailable,
    QueryFailed,
)
from tunegraph.graphstore.settings import Neo4jSettings

T = TypeVar("T")


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def translate_error(exc: Exception, settings: Neo4jSettings) -> GraphStoreError:
    """Turn a driver exception into one sentence a user can act on."""
    if isinstance(exc, GraphStoreError):
        return exc
    if isinstance(exc, neo4j_errors.AuthError):
        return Neo4jAuthFailed(
            f"Neo4j at {settings.uri} refused the credentials of user {settings.user!r}: "
            "check NEO4J_USER / NEO4J_PASSWORD (or --user / --password)"
        )
    if isinstance(exc, neo4j_errors.ServiceUnavailable | neo4j_errors.SessionExpired | OSError):
        return Neo4jUnavailable(
            f"cannot reach Neo4j at {settings.uri}: is it running? "
            "(start one with `tunegraph neo4j start`, or set NEO4J_URI)"
        )
    if isinstance(exc, neo4j_errors.Neo4jError):
        code = exc.code or ""
        message = _first_line(exc.message)
        if code.endswith("Statement.AccessMode"):
            return QueryFailed(
                "the query writes to the graph but ran read-only; add --write to allow it"
            )
        if code.endswith("Statement.SyntaxError"):
            return QueryFailed(f"Cypher syntax error: {message}")
        if code.endswith("Database.DatabaseNotFound"):
            return QueryFailed(f"database {settings.database!r} does not exist on {settings.uri}")
        if code.endswith("Statement.ExternalResourceFailed") and "file:" in message:
            return QueryFailed(
                f"{message}: LOAD CSV reads file: URLs inside the server's import folder only "
                "(for `tunegraph neo4j start`, file:///x.csv is DATA_DIR/import/x.csv)"
            )
        if code.endswith("Statement.ParameterMissing"):
            return QueryFailed(f"{message} (pass it with --param NAME=VALUE)")
        return QueryFailed(f"{code.rsplit('.', 1)[-1] or 'error'}: {message}")
    if isinstance(exc, neo4j_errors.ConfigurationError | neo4j_errors.DriverError | ValueError):
        return GraphStoreError(f"cannot use Neo4j at {settings.uri}: {_first_line(str(exc))}")
    raise exc


def _all_rows(
    cypher: str, parameters: dict[str, Any]
) -> Callable[[AsyncManagedTransaction], Awaitable[list[dict[str, Any]]]]:
    """A transaction function returning every row of one query as a dict."""

    async def work(tx: AsyncManagedTransaction) -> list[dict[str, Any]]:
        result = await tx.run(cypher, parameters)
        return [record.data() async for record in result]

    return work


class GraphStore:
    """One async driver and the few ways tunegraph talks through it."""

    def __init__(self, settings: Neo4jSettings) -> None:
        self.settings = settings
        self._driver: AsyncDriver | None = None

    @property
    def driver(self) -> AsyncDriver:
        if self._driver is None:
            raise GraphStoreError("the graph store is not open")
        return self._driver

    async def open(self) -> GraphStore:
        try:
            self._driver = AsyncGraphDatabase.driver(
                self.settings.uri,
                auth=(self.settings.user, self.settings.password),
                connection_timeout=self.settings.connection_timeout_s,
                notifications_min_severity="OFF",
            )
            await self._driver.verify_connectivity()
        except Exception as exc:
            await self.close()
            raise translate_error(exc, self.settings) from None
        return self

    async def close(self) -> None:
        if self._driver is not None:
            driver, self._driver = self._driver, None
            with contextlib.suppress(Exception):
                await driver.close()

    async def __aenter__(self) -> GraphStore:
        return await self.open()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def _session(self, read_only: bool = False) -> neo4j.AsyncSession:
        return self.driver.session(
            database=self.settings.database,
            default_access_mode=neo4j.READ_ACCESS if read_only else neo4j.WRITE_ACCESS,
        )

    async def write(self, work: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        """Run an idempotent transaction function; the driver retries transient errors."""
        try:
            async with self._session() as session:
                return await session.execute_write(work)
        except Exception as exc:
            raise translate_error(exc, self.settings) from None

    async def read(self, work: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        """Run a read-only transaction function (retried like ``write``; routed READ)."""
        try:
            async with self._session(read_only=True) as session:
                return await session.execute_read(work)
        except Exception as exc:
            raise translate_error(exc, self.settings) from None

    async def run(self, cypher: str, **parameters: Any) -> list[dict[str, Any]]:
        """A small write-capable query whose whole result fits in memory (cluster leader)."""
        return await self.write(_all_rows(cypher, parameters))

    async def run_read(self, cypher: str, **parameters: Any) -> list[dict[str, Any]]:
        """A small read-only query: in a cluster any member may answer; a write is refused."""
        return await self.read(_all_rows(cypher, parameters))

    async def plan_operators(self, cypher: str, parameters: dict[str, Any]) -> set[str]:
        """The operators of the query's plan (``EXPLAIN``: nothing runs), e.g. ``LoadCSV``."""
        head = re.match(r"\s*(EXPLAIN|PROFILE)\b", cypher, re.IGNORECASE)
        body = cypher[head.end() :] if head else cypher
        try:
            async with self._session(read_only=True) as session:
                summary = await (await session.run(f"EXPLAIN {body}", parameters)).consume()
        except Exception as exc:
            raise translate_error(exc, self.settings) from None
        operators: set[str] = set()
        stack = [summary.plan or {}]
        while stack:
            step = stack.pop()
            operators.add(str(step.get("operatorType", "")).split("@", 1)[0])
            stack.extend(step.get("children") or [])
        return operators

    async def stream_values(
        self,
        cypher: str,
        parameters: dict[str, Any],
        *,
        read_only: bool,
        on_keys: Callable[[list[str]], None],
    ) -> AsyncGenerator[list[Any], None]:
        """One auto-commit query, row by row, in the driver's fetch-sized batches.

        Not a transaction function: rows already handed out cannot be retried. A read
        session sends read access mode, so the server refuses a write. Close the
        iterator (``contextlib.aclosing``) when stopping early.
        """
        try:
            async with self._session(read_only) as session:
                result = await session.run(cypher, parameters)
                on_keys(list(result.keys()))
                async for record in result:
                    yield list(record.values())
        except Exception as exc:
            raise translate_error(exc, self.settings) from None
