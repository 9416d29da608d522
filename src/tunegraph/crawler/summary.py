"""How a crawl ended: the summary the CLI prints, also recorded on the crawl's node."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from tunegraph.crawler.client import ClientStats
from tunegraph.crawler.errors import RateLimitStop
from tunegraph.crawler.shutdown import StopReason
from tunegraph.crawler.stats import CrawlStats
from tunegraph.graphstore import frontier
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.errors import GraphStoreError, Neo4jUnavailable


@dataclass
class CrawlSummary:
    crawl_id: str
    status: str  # finished | stopped | time-limit | rate-limited
    world: str
    playlists_done: int
    inaccessible: int
    failed: int
    queued_left: int
    visited_here: int
    tracks: int
    skipped: dict[str, int]
    requests: int
    rate_limited: int
    retries: int
    audio_features: str
    elapsed_s: float
    playlists_per_s: float
    inaccessible_reasons: dict[str, int] = field(default_factory=dict)
    message: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def ending(stopped: StopReason | None, rate_stop: RateLimitStop | None) -> tuple[str, str | None]:
    """The status and the line that tells the user what to do next."""
    if rate_stop is not None:
        return "rate-limited", str(rate_stop)
    if stopped == "time-limit":
        return "time-limit", "stopped at --max-seconds; run again to resume"
    if stopped == "interrupt":
        return "stopped", "stopped by interrupt; run the same command to resume"
    return "finished", None


async def close_crawl(
    store: GraphStore,
    crawl_id: str,
    stats: CrawlStats,
    client: ClientStats,
    elapsed_s: float,
    stopped: StopReason | None,
    rate_stop: RateLimitStop | None,
) -> CrawlSummary:
    """Read the frontier's counts, build the summary and record it on the crawl."""
    status, message = ending(stopped, rate_stop)
    try:
        counts = await frontier.progress(store, crawl_id)
        reasons = await frontier.inaccessible_reasons(store, crawl_id)
    except Neo4jUnavailable:
        counts, reasons = {}, {}
    summary = CrawlSummary(
        crawl_id=crawl_id,
        status=status,
        world=stats.world,
        playlists_done=counts.get("done", 0),
        inaccessible=counts.get("inaccessible", 0),
        failed=counts.get("failed", 0),
        queued_left=counts.get("queued", 0) + counts.get("claimed", 0),
        visited_here=stats.visited,
        tracks=stats.tracks,
        skipped=dict(stats.skipped),
        requests=client.requests,
        rate_limited=client.rate_limited,
        retries=client.retries,
        audio_features=stats.features,
        elapsed_s=round(elapsed_s, 3),
        playlists_per_s=round(stats.visited / elapsed_s, 3) if elapsed_s > 0 else 0.0,
        inaccessible_reasons=reasons,
        message=message,
    )
    record = {
        "last_playlists_done": summary.playlists_done,
        "last_world": summary.world,
        "last_elapsed_s": summary.elapsed_s,
        "resume_at_epoch": rate_stop.resume_at_epoch if rate_stop is not None else None,
    }
    with contextlib.suppress(GraphStoreError):
        await frontier.end_crawl(store, crawl_id, status, record)
    return summary
