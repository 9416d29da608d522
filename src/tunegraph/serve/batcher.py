"""Dynamic batching: queries that arrive together are scored in one model call.

The first query of a batch waits at most ``max_wait`` for others (up to ``max_batch``);
while a batch is scored in the worker thread, the next one gathers, so under load each
model call takes many queries, as the batch command does, and the event loop never
blocks on TensorFlow. Each query carries the model it was resolved against: a reload
mid-way leaves queued queries to finish on the model whose track indices they hold.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the batcher only hands queries to a model: it needs no TensorFlow
    from tunegraph.model.serving.answers import Recommendation
    from tunegraph.model.serving.engine import Model, Query

Results = list[list["Recommendation"]]


@dataclass
class _Job:
    model: Model
    query: Query
    k: int
    explain: bool
    future: asyncio.Future[list[Recommendation]]


class Batcher:
    """``submit`` queries; one worker task scores what is queued, ``max_batch`` at a time."""

    def __init__(
        self,
        max_batch: int,
        max_wait: float,
        on_batch: Callable[[int, float], None] | None = None,
    ) -> None:
        self.max_batch, self.max_wait = max_batch, max_wait
        self.on_batch = on_batch  # (queries, seconds) of each model call, for /metrics
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="tunegraph-score")
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def close(self) -> None:
        """Stop the worker (after the server has drained) and its thread."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._executor.shutdown(wait=True)

    async def submit(
        self, model: Model, queries: Sequence[Query], k: int, explain: bool = False
    ) -> Results:
        loop = asyncio.get_running_loop()
        jobs = [_Job(model, q, k, explain, loop.create_future()) for q in queries]
        for job in jobs:
            self._queue.put_nowait(job)
        return list(await asyncio.gather(*(job.future for job in jobs)))

    async def _run(self) -> None:
        while True:
            jobs = await self._gather()
            await self._score(jobs)

    async def _gather(self) -> list[_Job]:
        loop = asyncio.get_running_loop()
        jobs = [await self._queue.get()]
        deadline = loop.time() + self.max_wait
        while len(jobs) < self.max_batch:
            if not self._queue.empty():
                jobs.append(self._queue.get_nowait())
                continue
            left = deadline - loop.time()
            if left <= 0:
                break
            try:
                jobs.append(await asyncio.wait_for(self._queue.get(), left))
            except TimeoutError:
                break
        return jobs

    async def _score(self, jobs: list[_Job]) -> None:
        loop = asyncio.get_running_loop()
        live = [j for j in jobs if not j.future.done()]  # a client that left: not scored
        for model in {id(j.model): j.model for j in live}.values():
            group = [j for j in live if j.model is model]
            k = max(j.k for j in group)
            start = loop.time()
            try:
                results = await loop.run_in_executor(
                    self._executor,
                    model.rank,
                    [j.query for j in group],
                    k,
                    [j.explain for j in group],
                )
            except Exception as exc:  # handed to each waiting request, which reports it
                for job in group:
                    if not job.future.done():
                        job.future.set_exception(exc)
                continue
            if self.on_batch is not None:
                self.on_batch(len(group), loop.time() - start)
            for job, found in zip(group, results, strict=True):
                if not job.future.done():
                    job.future.set_result(found[: job.k])
