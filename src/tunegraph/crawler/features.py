"""Audio features for the crawl's tracks, after the breadth-first part has finished.

Tracks not yet asked for are read from the graph in id order, 100 ids a request and
as many requests at once as there are workers. The first 403 turns the feature off for
the crawl (new apps no longer get it); other failures skip that batch.
"""

from __future__ import annotations

import asyncio
import functools

from tunegraph.crawler import endpoints
from tunegraph.crawler.client import SpotifyClient
from tunegraph.crawler.errors import ApiError, CrawlerError
from tunegraph.crawler.progress import Reporter
from tunegraph.crawler.retrying import GraphRetry
from tunegraph.crawler.stats import FEATURES_ON, CrawlStats
from tunegraph.crawler.workers import FATAL
from tunegraph.graphstore import frontier
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.writers import GraphBatch, write_batch

FEATURES_FORBIDDEN = "off (403 from audio-features)"


class FeaturesPass:
    def __init__(
        self,
        store: GraphStore,
        crawl_id: str,
        client: SpotifyClient,
        *,
        workers: int,
        graph_retry: GraphRetry,
        stats: CrawlStats,
        reporter: Reporter,
    ) -> None:
        self.store = store
        self.crawl_id = crawl_id
        self.client = client
        self.workers = max(1, workers)
        self.graph_retry = graph_retry
        self.stats = stats
        self.reporter = reporter
        self._gate = asyncio.Semaphore(self.workers)

    @property
    def on(self) -> bool:
        return self.stats.features == FEATURES_ON

    async def run(self) -> None:
        after = ""
        span = endpoints.FEATURES_BATCH * self.workers
        while self.on:
            ids = await self.graph_retry(
                functools.partial(frontier.unchecked_tracks, self.store, self.crawl_id, after, span)
            )
            if not ids:
                return
            after = ids[-1]
            step = endpoints.FEATURES_BATCH
            await asyncio.gather(*(self._one(ids[i : i + step]) for i in range(0, len(ids), step)))

    async def _one(self, ids: list[str]) -> None:
        async with self._gate:
            found = await self._fetch(ids) if self.on else None
        if found is None:
            return
        batch = GraphBatch()
        for track_id in ids:
            batch.add_node(
                "Track", track_id, **found.get(track_id, {}), audio_features_checked=True
            )
        await self.graph_retry(lambda: write_batch(self.store, batch))

    async def _fetch(self, ids: list[str]) -> dict[str, dict] | None:
        """The features of ``ids``, or None when this batch (or the feature) is given up."""
        try:
            return await endpoints.audio_features(self.client, ids)
        except ApiError as exc:
            if exc.status == 403 and self.on:
                self.stats.features = FEATURES_FORBIDDEN
                self.reporter.event(
                    "audio features answered 403 (not available to this app): "
                    "turned off for this crawl"
                )
            return None
        except FATAL:
            raise
        except CrawlerError as exc:
            self.reporter.event(f"audio features for {len(ids)} tracks failed: {exc}")
            return None
