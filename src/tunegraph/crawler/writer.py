"""Batched graph writes that never hold up the network.

Workers hand finished visits to ``BatchWriter.submit`` and go on fetching; one task
flushes them by size or time, each flush one transaction (graph rows, new frontier
entries, finished states). When Neo4j is unreachable the writer keeps its rows and
tries again through the crawl's ``GraphRetry``; workers block only when the backlog
grows past ``max_pending`` playlists.
"""

from __future__ import annotations

import asyncio
import contextlib

from tunegraph.crawler.retrying import GraphRetry
from tunegraph.crawler.visit import Outcome
from tunegraph.graphstore import frontier
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.writers import GraphBatch


class BatchWriter:
    def __init__(
        self,
        store: GraphStore,
        crawl_id: str,
        graph_retry: GraphRetry,
        *,
        flush_rows: int,
        flush_interval_s: float,
        max_pending: int = 500,
    ) -> None:
        self.store = store
        self.crawl_id = crawl_id
        self.graph_retry = graph_retry
        self.flush_rows = flush_rows
        self.flush_interval_s = flush_interval_s
        self.max_pending = max_pending
        self._pending: list[Outcome] = []
        self._rows = 0
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._closing = False
        self._ended = asyncio.Event()
        self.flushed = asyncio.Event()  # set after every flush: new work may be open
        self.error: BaseException | None = None

    async def submit(self, outcome: Outcome) -> None:
        if self.error is not None:
            raise self.error
        self._pending.append(outcome)
        self._rows += len(outcome.batch) + len(outcome.children) + 1
        if self._rows >= self.flush_rows:
            self._wake.set()
        while len(self._pending) >= self.max_pending and self.error is None:
            self._room.clear()
            self._wake.set()
            await self._room.wait()

    def nudge(self) -> None:
        """Flush soon: a worker is waiting for the level to finish."""
        if self._pending:
            self._wake.set()

    async def run(self) -> None:
        """The flushing task; ends after ``close`` once everything is written."""
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.flush_interval_s)
                self._wake.clear()
                if self._pending:
                    await self._flush()
                elif self._closing:
                    return
        except BaseException as exc:
            self.error = exc
            self._room.set()
            raise
        finally:
            self._ended.set()

    async def close(self) -> None:
        """Write what is pending, then let ``run`` end; returns once it has."""
        self._closing = True
        self._wake.set()
        await self._ended.wait()

    async def _flush(self) -> None:
        taken, self._pending, self._rows = self._pending, [], 0
        batch = GraphBatch()
        children: list[dict] = []
        finished: list[dict] = []
        for outcome in taken:
            batch.extend(outcome.batch)
            children.extend(outcome.children)
            finished.append(outcome.finished_row())

        try:
            await self.graph_retry(
                lambda: frontier.complete(self.store, self.crawl_id, batch, children, finished)
            )
        except BaseException:
            self._pending[:0] = taken  # kept for a final attempt or the error report
            raise
        self.flushed.set()
        self._room.set()
