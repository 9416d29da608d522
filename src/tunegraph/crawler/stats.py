"""What this process has done so far, and the progress ticks built from it."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tunegraph.crawler.client import ClientStats
from tunegraph.crawler.progress import Reporter
from tunegraph.crawler.visit import Outcome
from tunegraph.graphstore import frontier
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.errors import GraphStoreError

FEATURES_ON = "on"


@dataclass
class CrawlStats:
    world: str = "unknown"
    features: str = FEATURES_ON
    visited: int = 0
    tracks: int = 0
    depth_seen: int = 0
    forbidden_warned: bool = False  # the first 403 is explained once, not per playlist
    skipped: Counter[str] = field(default_factory=Counter)

    def count(self, outcome: Outcome, depth: int) -> None:
        self.depth_seen = max(self.depth_seen, depth)
        self.visited += 1
        self.tracks += outcome.tracks
        self.skipped.update(outcome.skipped)

    def snapshot(
        self, counts: dict[str, int], client: ClientStats, elapsed_s: float
    ) -> dict[str, Any]:
        return {
            "world": self.world,
            "depth": self.depth_seen,
            "done": counts.get("done", 0),
            "queued": counts.get("queued", 0),
            "claimed": counts.get("claimed", 0),
            "inaccessible": counts.get("inaccessible", 0),
            "failed": counts.get("failed", 0),
            "visited_here": self.visited,
            "tracks": self.tracks,
            "requests_per_s": client.requests / max(1e-6, elapsed_s),
            "rate_limited": client.rate_limited,
            "retries": client.retries,
        }


async def show_progress(
    store: GraphStore,
    crawl_id: str,
    stats: CrawlStats,
    client: ClientStats,
    reporter: Reporter,
    *,
    interval_s: float,
    clock: Callable[[], float],
    sleep: Callable[[float], Awaitable[None]],
) -> None:
    """Tick the reporter until cancelled; a Neo4j hiccup skips a tick."""
    started = clock()
    while True:
        await sleep(min(1.0, interval_s))
        with contextlib.suppress(GraphStoreError):
            counts = await frontier.progress(store, crawl_id)
            reporter.tick(stats.snapshot(counts, client, clock() - started))
