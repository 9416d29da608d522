"""A clock and a sleep for the retry and rate tests: sleeping only moves the clock."""

from __future__ import annotations


class FakeTime:
    def __init__(self, start: float = 100.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    @property
    def waits(self) -> list[float]:
        """The sleeps that took time (a paced retry goes on at once)."""
        return [s for s in self.sleeps if s > 0]
