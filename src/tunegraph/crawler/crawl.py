"""The breadth-first crawl: ``crawl()`` and the run that puts its parts together.

N workers on one event loop take playlists that the dispatcher claims from the Neo4j
frontier, visit them through one shared client (one budget, one Retry-After pause) and
hand the outcomes to the batched writer. A crawl stopped on request, by its time
limit, a long Retry-After or a Neo4j outage keeps its state; running it again resumes
where it stopped, and several processes with the same settings share one crawl.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid

from tunegraph.crawler.client import SpotifyClient
from tunegraph.crawler.dispatch import Dispatcher, renew_leases
from tunegraph.crawler.errors import CrawlerError, CredentialsMissing, RateLimitStop
from tunegraph.crawler.features import FeaturesPass
from tunegraph.crawler.progress import Reporter, SilentReporter
from tunegraph.crawler.retrying import GraphRetry
from tunegraph.crawler.settings import CrawlSettings
from tunegraph.crawler.shutdown import StopSwitch, task_group
from tunegraph.crawler.stats import FEATURES_ON, CrawlStats, show_progress
from tunegraph.crawler.summary import CrawlSummary, close_crawl
from tunegraph.crawler.visit import SearchCache
from tunegraph.crawler.workers import Worker
from tunegraph.crawler.world import detect_world
from tunegraph.crawler.writer import BatchWriter
from tunegraph.graphstore import frontier
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.errors import GraphStoreError
from tunegraph.graphstore.schema import ensure_schema
from tunegraph.graphstore.settings import Neo4jSettings

FEATURES_NOT_ASKED = "off (not asked for)"


def _owner_id() -> str:
    """Names this process's claims: unique across hosts, processes and runs."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class CrawlRun:
    """One process's part of one crawl, from opening the graph to the summary."""

    def __init__(
        self, settings: CrawlSettings, neo4j: Neo4jSettings, reporter: Reporter, stop: StopSwitch
    ) -> None:
        self.settings = settings
        self.neo4j = neo4j
        self.reporter = reporter
        self.stop = stop
        self.crawl_id = settings.crawl_id
        self.owner = _owner_id()
        self.clock = time.monotonic
        self.sleep = asyncio.sleep
        self.stats = CrawlStats(
            features=FEATURES_ON if settings.audio_features else FEATURES_NOT_ASKED
        )
        self.graph_retry = GraphRetry(
            settings.neo4j_outage_s, clock=self.clock, sleep=self.sleep, on_wait=reporter.event
        )

    async def run(self) -> CrawlSummary:
        started = self.clock()
        try:
            async with GraphStore(self.neo4j) as store:
                await ensure_schema(store)
                seeds = list(self.settings.seeds)
                await frontier.start_crawl(store, self.crawl_id, self.settings.identity(), seeds)
                async with SpotifyClient(
                    self.settings.api,
                    clock=self.clock,
                    sleep=self.sleep,
                    wall_clock=time.time,
                    warn=self.reporter.event,
                ) as client:
                    return await self._run_with(store, client, started)
        finally:
            self.reporter.close()

    async def _run_with(
        self, store: GraphStore, client: SpotifyClient, started: float
    ) -> CrawlSummary:
        self.stats.world = await detect_world(client, self.reporter)
        rate_stop: RateLimitStop | None = None
        try:
            async with task_group() as helpers:
                chores = [
                    helpers.create_task(self._renew_leases(store)),
                    helpers.create_task(self._show_progress(store, client)),
                ]
                try:
                    await self._crawl(store, client)
                finally:
                    for chore in chores:
                        chore.cancel()
        except RateLimitStop as exc:
            rate_stop = exc
        finally:
            await self._release(store)  # also after a fatal error: the next run goes on at once
        elapsed = self.clock() - started
        return await close_crawl(
            store, self.crawl_id, self.stats, client.stats, elapsed, self.stop.reason, rate_stop
        )

    async def _crawl(self, store: GraphStore, client: SpotifyClient) -> None:
        """The frontier until it is finished or stopped, then the audio features."""
        settings = self.settings
        writer = BatchWriter(
            store,
            self.crawl_id,
            self.graph_retry,
            flush_rows=settings.flush_rows,
            flush_interval_s=settings.flush_interval_s,
        )
        async with task_group() as group:
            group.create_task(writer.run())
            try:
                finished = await self.stop.until_stopped(
                    lambda: self._crew(store, client, writer), settings.max_seconds
                )
                if self.stop.reason == "time-limit":
                    self.reporter.event("time limit reached: flushing writes and releasing claims")
            finally:
                await writer.close()  # what the workers finished is written, also after an error
        if finished and settings.audio_features:
            features = FeaturesPass(
                store,
                self.crawl_id,
                client,
                workers=settings.workers,
                graph_retry=self.graph_retry,
                stats=self.stats,
                reporter=self.reporter,
            )
            await self.stop.until_stopped(features.run)

    async def _crew(self, store: GraphStore, client: SpotifyClient, writer: BatchWriter) -> None:
        """The dispatcher and the workers; the first fatal error cancels them all."""
        settings = self.settings
        dispatcher = Dispatcher(
            store,
            self.crawl_id,
            self.owner,
            workers=settings.workers,
            lease_s=settings.lease_s,
            graph_retry=self.graph_retry,
            writer=writer,
            sleep=self.sleep,
        )
        searches = SearchCache()
        async with task_group() as crew:
            crew.create_task(dispatcher.run())
            for _ in range(settings.workers):
                worker = Worker(
                    settings, client, dispatcher, writer, searches, self.stats, self.reporter
                )
                crew.create_task(worker.run())

    async def _renew_leases(self, store: GraphStore) -> None:
        await renew_leases(store, self.crawl_id, self.owner, self.settings.lease_s, self.sleep)

    async def _show_progress(self, store: GraphStore, client: SpotifyClient) -> None:
        await show_progress(
            store,
            self.crawl_id,
            self.stats,
            client.stats,
            self.reporter,
            interval_s=self.settings.progress_interval_s,
            clock=self.clock,
            sleep=self.sleep,
        )

    async def _release(self, store: GraphStore) -> None:
        with contextlib.suppress(GraphStoreError):
            released = await frontier.release(store, self.crawl_id, self.owner)
            if released:
                self.reporter.event(f"released {released} unfinished claims to the queue")


async def crawl(
    settings: CrawlSettings,
    neo4j: Neo4jSettings,
    *,
    reporter: Reporter | None = None,
    stop: StopSwitch | None = None,
) -> CrawlSummary:
    """Crawl breadth-first from ``settings.seeds`` into the graph at ``neo4j``; resumable.

    ``stop.request()`` ends the crawl gracefully: finished visits are written, claims
    released, and the summary says how to resume.
    """
    if not settings.seeds:
        raise CrawlerError("give at least one --seed-playlist")
    if not settings.api.has_credentials:
        raise CredentialsMissing(
            "no Spotify credentials: set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET "
            "(or SPOTIFY_ACCESS_TOKEN)"
        )
    run = CrawlRun(settings, neo4j, reporter or SilentReporter(), stop or StopSwitch())
    return await run.run()
