"""The batcher keeps two batches in the model at once, never more: a fake model shows it."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from tunegraph.serve.batcher import Batcher


class MeetingModel:
    """Each call waits (up to 10 s) until ``meet`` calls are inside at once."""

    def __init__(self, meet: int) -> None:
        self.barrier = threading.Barrier(meet, timeout=10)
        self.lock = threading.Lock()
        self.inside = self.most = 0

    def rank(self, queries: list[Any], k: int, explain: list[bool]) -> list[list[Any]]:
        with self.lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        try:
            self.barrier.wait()
            time.sleep(0.05)  # a third batch, were it allowed in, would arrive meanwhile
        finally:
            with self.lock:
                self.inside -= 1
        return [[f"answer to {q}"] for q in queries]


def test_two_batches_are_scored_at_once_and_no_more() -> None:
    model = MeetingModel(meet=2)  # one worker thread alone would break the barrier
    batcher = Batcher(max_batch=1, max_wait=0.0, in_flight=2)

    async def main() -> list[Any]:
        batcher.start()
        try:
            return await asyncio.gather(
                *(batcher.submit(model, [f"q{i}"], 1) for i in range(6))  # type: ignore[arg-type]
            )
        finally:
            await batcher.close()

    answers = asyncio.run(main())
    assert answers == [[[f"answer to q{i}"]] for i in range(6)]
    assert model.most == 2
