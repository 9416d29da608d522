"""Batched graph writes that never hold up the network.

Workers hand finished visits to ``BatchWriter.submit`` and go on fetching; one task
flushes them by size or time, each flush one transaction (graph rows, new frontier
entries, finished states). When Neo4j is unreachable the writer keeps its rows and
tries again with backoff for up to ``outage_s``; workers block only when the backlog
grows past ``max_pending`` playlists.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from tunegraph.crawler.errors import GraphUnavailable
from tunegraph.crawler.visit import Outcome
from tunegraph.graphstore import frontier
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.errors import Neo4jUnavailable
from tunegraph.graphstore.writers import GraphBatch


async def with_outage_retry(
    action: Callable[[], Awaitable[object]],
    *,
    outage_s: float,
    clock: Callable[[], float],
    sleep: Callable[[float], Awaitable[None]],
    on_wait: Callable[[str], None] = lambda _msg: None,
) -> object:
    """Run ``action``; while Neo4j is unreachable, wait and retry for up to ``outage_s``."""
    started: float | None = None
    delay = 0.2
    while True:
        try:
            return await action()
        except Neo4jUnavailable as exc:
            now = clock()
            if started is None:
                started = now
                on_wait(f"Neo4j unreachable, waiting up to {outage_s:g} s: {exc}")
            if now - started > outage_s:
                raise GraphUnavailable(
                    f"{exc} (waited {outage_s:g} s; the crawl state is kept, run again to resume)"
                ) from None
            await sleep(delay)
            delay = min(2.0, delay * 2)


class BatchWriter:
    def __init__(
        self,
        store: GraphStore,
        crawl_id: str,
        *,
        flush_rows: int,
        flush_interval_s: float,
        outage_s: float,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        on_wait: Callable[[str], None] = lambda _msg: None,
        max_pending: int = 500,
    ) -> None:
        self.store = store
        self.crawl_id = crawl_id
        self.flush_rows = flush_rows
        self.flush_interval_s = flush_interval_s
        self.outage_s = outage_s
        self.clock = clock
        self.sleep = sleep
        self.on_wait = on_wait
        self.max_pending = max_pending
        self._pending: list[Outcome] = []
        self._rows = 0
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._closing = False
        self.flushed = asyncio.Event()  # set after every flush: new work may be open
        self.flushes = 0
        self.written_rows = 0
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

    async def close(self, task: asyncio.Task[None]) -> None:
        self._closing = True
        self._wake.set()
        await task

    async def _flush(self) -> None:
        taken, self._pending, self._rows = self._pending, [], 0
        batch = GraphBatch()
        children: list[dict] = []
        finished: list[dict] = []
        for outcome in taken:
            batch.extend(outcome.batch)
            children.extend(outcome.children)
            finished.append(outcome.finished_row())

        async def write() -> None:
            await frontier.complete(self.store, self.crawl_id, batch, children, finished)

        try:
            await with_outage_retry(
                write,
                outage_s=self.outage_s,
                clock=self.clock,
                sleep=self.sleep,
                on_wait=self.on_wait,
            )
        except BaseException:
            self._pending[:0] = taken  # kept for a final attempt or the error report
            raise
        self.flushes += 1
        self.flushed.set()
        self.written_rows += len(batch)
        self._room.set()
