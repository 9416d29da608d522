"""The frontier side of the crawl: claims from Neo4j into a queue for idle workers, leases.

Several playlists are claimed per transaction, never more than there are idle
workers, so claims of this process never wait behind each other. A claim's lease is
renewed while the process lives; claims of a killed process go back to the queue
when their lease runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Awaitable, Callable

from tunegraph.crawler.retrying import GraphRetry
from tunegraph.crawler.writer import BatchWriter
from tunegraph.graphstore import frontier
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.errors import GraphStoreError
from tunegraph.graphstore.frontier import Claim, Finished, Wait

IDLE_FIRST_S = 0.02  # a level is finishing: ask again soon, then less often
IDLE_MAX_S = 0.5
CONFIRM_FINISHED_S = 0.2


class Dispatcher:
    """Claims work for ``workers`` workers; ``None`` in the queue tells a worker to end."""

    def __init__(
        self,
        store: GraphStore,
        crawl_id: str,
        owner: str,
        *,
        workers: int,
        lease_s: float,
        graph_retry: GraphRetry,
        writer: BatchWriter,
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.store = store
        self.crawl_id = crawl_id
        self.owner = owner
        self.workers = workers
        self.lease_s = lease_s
        self.graph_retry = graph_retry
        self.writer = writer
        self.sleep = sleep
        self.queue: asyncio.Queue[Claim | None] = asyncio.Queue()
        self._busy = 0  # claims handed to workers and not yet done with
        self._slot = asyncio.Event()

    async def next_claim(self) -> Claim | None:
        return await self.queue.get()

    def done_with(self, _claim: Claim) -> None:
        """A worker has handed its claim's outcome to the writer: a slot is free."""
        self._busy -= 1
        self._slot.set()

    async def run(self) -> None:
        """Claim until the frontier is finished (asked twice, with nothing in flight)."""
        idle = IDLE_FIRST_S
        confirmed = False
        try:
            while True:
                free = self.workers - self._busy - self.queue.qsize()
                if free <= 0:
                    self._slot.clear()
                    await self._slot.wait()
                    continue
                work = await self.graph_retry(
                    functools.partial(
                        frontier.claim, self.store, self.crawl_id, self.owner, self.lease_s, free
                    )
                )
                if isinstance(work, Finished):
                    if confirmed or self._busy:
                        return
                    confirmed = True  # ask once more after a pause before ending the crawl
                    await self.sleep(CONFIRM_FINISHED_S)
                    continue
                confirmed = False
                if isinstance(work, Wait):
                    await self._wait_for_flush(idle)
                    idle = min(IDLE_MAX_S, idle * 1.5)
                    continue
                idle = IDLE_FIRST_S
                for claim in work:
                    self._busy += 1
                    self.queue.put_nowait(claim)
        finally:
            for _ in range(self.workers):
                self.queue.put_nowait(None)

    async def _wait_for_flush(self, timeout_s: float) -> None:
        """The level's last playlists are still unwritten: hurry the writer, wait a little."""
        self.writer.nudge()
        self.writer.flushed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.writer.flushed.wait(), timeout_s)


async def renew_leases(
    store: GraphStore,
    crawl_id: str,
    owner: str,
    lease_s: float,
    sleep: Callable[[float], Awaitable[None]],
) -> None:
    """Keep this process's claims leased until cancelled; a Neo4j hiccup skips a round."""
    while True:
        await sleep(lease_s / 3)
        with contextlib.suppress(GraphStoreError):
            await frontier.renew(store, crawl_id, owner, lease_s)
