"""The breadth-first crawl: workers, the batched writer, leases, features, stopping.

``crawl()`` is the library entry point behind ``tunegraph crawl``. N worker tasks on one
event loop claim playlists from the Neo4j frontier, visit them through one shared
client (one budget, one Retry-After pause) and hand the outcome to the writer. A crawl
stopped by Ctrl-C, a long Retry-After or a Neo4j outage keeps its state; running it
again resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tunegraph.crawler import endpoints
from tunegraph.crawler.client import SpotifyClient
from tunegraph.crawler.errors import (
    ApiError,
    ApiUnreachable,
    AuthFailed,
    CrawlerError,
    CredentialsMissing,
    GraphUnavailable,
    RateLimitStop,
)
from tunegraph.crawler.progress import Reporter, SilentReporter
from tunegraph.crawler.settings import CrawlSettings
from tunegraph.crawler.visit import Outcome, SearchCache, visit
from tunegraph.crawler.writer import BatchWriter, with_outage_retry
from tunegraph.graphstore import frontier
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.errors import GraphStoreError, Neo4jUnavailable
from tunegraph.graphstore.frontier import FAILED, Claim, Finished, Wait
from tunegraph.graphstore.schema import ensure_schema
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.graphstore.writers import GraphBatch, write_batch

FATAL = (AuthFailed, CredentialsMissing, ApiUnreachable, RateLimitStop, GraphUnavailable)
EXTENDED, DEVELOPMENT = "extended", "development"


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


def _owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Crawler:
    def __init__(
        self,
        settings: CrawlSettings,
        neo4j: Neo4jSettings,
        reporter: Reporter,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        wall_clock: Callable[[], float],
    ) -> None:
        self.settings = settings
        self.neo4j = neo4j
        self.reporter = reporter
        self.clock = clock
        self.sleep = sleep
        self.wall_clock = wall_clock
        self.crawl_id = settings.crawl_id
        self.owner = _owner_id()
        self.stop = asyncio.Event()
        self.fatal: BaseException | None = None
        self.world = "unknown"
        self.features = "on" if settings.audio_features else "off (not asked for)"
        self.visited = 0
        self.tracks = 0
        self.skipped: Counter[str] = Counter()
        self.forbidden_warned = False
        self.depth_seen = 0
        self._signals = 0
        self._time_up = False
        self._workers: list[asyncio.Task[None]] = []
        self._busy = 0  # claims handed to workers and not yet submitted
        self._slot = asyncio.Event()

    # -- helpers ---------------------------------------------------------------------

    async def _graph(self, action: Callable[[], Awaitable[Any]]) -> Any:
        return await with_outage_retry(
            action,
            outage_s=self.settings.neo4j_outage_s,
            clock=self.clock,
            sleep=self.sleep,
            on_wait=self.reporter.event,
        )

    def _fail(self, exc: BaseException) -> None:
        if self.fatal is None:
            self.fatal = exc
        self.stop.set()
        for task in self._workers:
            if task is not asyncio.current_task():
                task.cancel()

    def _on_done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self._fail(task.exception())

    def on_time_limit(self) -> None:
        self._time_up = True
        self.reporter.event("time limit reached: flushing writes and releasing claims")
        self.stop.set()
        for task in self._workers:
            task.cancel()

    def on_signal(self) -> None:
        self._signals += 1
        if self._signals > 1:
            self.reporter.event("second interrupt: stopping at once")
            os._exit(130)
        self.reporter.event(
            "interrupted: flushing writes and releasing claims (interrupt again to stop at once)"
        )
        self.stop.set()
        for task in self._workers:
            task.cancel()

    # -- the parts -------------------------------------------------------------------

    async def detect_world(self, client: SpotifyClient) -> None:
        """Development-mode apps may ask for at most 10 search results: probe with 11."""
        try:
            await endpoints.search_playlists(client, "music", 0, 11)
            self.world = EXTENDED
            text = "extended quota: public playlists and their items are readable"
        except ApiError as exc:
            if exc.status != 400:
                raise
            self.world = DEVELOPMENT
            text = (
                "development mode: the API refuses the items of playlists the token's user "
                "neither owns nor collaborates on (they are recorded as inaccessible), "
                "search answers at most 10 results, popularity is absent"
            )
        self.reporter.event(f"world: {text}")

    async def dispatch(self, queue: asyncio.Queue[Claim | None], writer: BatchWriter) -> None:
        """Claim work for idle workers, several playlists per transaction."""
        settings = self.settings
        idle = 0.02
        confirmed = False
        try:
            while not self.stop.is_set():
                free = settings.workers - self._busy - queue.qsize()
                if free <= 0:
                    self._slot.clear()
                    await self._slot.wait()
                    continue
                work = await self._graph(
                    lambda free=free: frontier.claim(
                        self.neo4j_store, self.crawl_id, self.owner, settings.lease_s, free
                    )
                )
                if isinstance(work, Finished):
                    if confirmed or self._busy:
                        return
                    confirmed = True  # ask once more after a pause before ending the crawl
                    await self.sleep(0.2)
                    continue
                confirmed = False
                if isinstance(work, Wait):
                    writer.nudge()
                    writer.flushed.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(writer.flushed.wait(), idle)
                    idle = min(0.5, idle * 1.5)
                    continue
                idle = 0.02
                for item in work:
                    self._busy += 1
                    queue.put_nowait(item)
        finally:
            for _ in range(settings.workers):
                queue.put_nowait(None)

    async def worker(
        self,
        client: SpotifyClient,
        writer: BatchWriter,
        cache: SearchCache,
        queue: asyncio.Queue[Claim | None],
    ) -> None:
        while (work := await queue.get()) is not None:
            try:
                self.depth_seen = max(self.depth_seen, work.depth)
                outcome = await self._visit(client, work, cache)
                self.visited += 1
                self.tracks += outcome.tracks
                self.skipped.update(outcome.skipped)
                await writer.submit(outcome)
            finally:
                self._busy -= 1
                self._slot.set()

    async def _visit(self, client: SpotifyClient, work: Claim, cache: SearchCache) -> Outcome:
        try:
            outcome = await visit(client, self.settings, work, cache)
        except FATAL:
            raise
        except CrawlerError as exc:
            self.reporter.event(f"playlist {work.playlist_id} failed: {exc}")
            return Outcome(work.playlist_id, FAILED, error=str(exc)[:500])
        if outcome.forbidden and not self.forbidden_warned:
            self.forbidden_warned = True
            self.reporter.event(f"playlist {work.playlist_id} is inaccessible: {outcome.reason}")
        return outcome

    async def renew_leases(self) -> None:
        while True:
            await self.sleep(self.settings.lease_s / 3)
            with contextlib.suppress(GraphStoreError):
                await frontier.renew(
                    self.neo4j_store, self.crawl_id, self.owner, self.settings.lease_s
                )

    async def show_progress(self, client: SpotifyClient) -> None:
        started = self.clock()
        while True:
            await self.sleep(min(1.0, self.settings.progress_interval_s))
            with contextlib.suppress(GraphStoreError):
                counts = await frontier.progress(self.neo4j_store, self.crawl_id)
                elapsed = max(1e-6, self.clock() - started)
                self.reporter.tick(self.snapshot(counts, client, elapsed))

    def snapshot(self, counts: dict[str, int], client: SpotifyClient, elapsed: float) -> dict:
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
            "requests_per_s": client.stats.requests / elapsed,
            "rate_limited": client.stats.rate_limited,
            "retries": client.stats.retries,
        }

    async def fetch_audio_features(self, client: SpotifyClient) -> None:
        """Features for this crawl's tracks not yet asked for, 100 ids a request."""
        if not self.settings.audio_features:
            return
        after = ""
        gate = asyncio.Semaphore(max(1, self.settings.workers))

        async def one(ids: list[str]) -> None:
            if self.features != "on":
                return
            async with gate:
                if self.features != "on":
                    return
                try:
                    found = await endpoints.audio_features(client, ids)
                except ApiError as exc:
                    if exc.status == 403 and self.features == "on":
                        self.features = "off (403 from audio-features)"
                        self.reporter.event(
                            "audio features answered 403 (not available to this app): "
                            "turned off for this crawl"
                        )
                    return
                except FATAL:
                    raise
                except CrawlerError as exc:
                    self.reporter.event(f"audio features for {len(ids)} tracks failed: {exc}")
                    return
            batch = GraphBatch()
            for track_id in ids:
                batch.add_node(
                    "Track", track_id, **found.get(track_id, {}), audio_features_checked=True
                )
            await self._graph(lambda: write_batch(self.neo4j_store, batch))

        while self.features == "on" and not self.stop.is_set():
            span = endpoints.FEATURES_BATCH * max(1, self.settings.workers)
            ids = await self._graph(
                lambda after=after, span=span: frontier.unchecked_tracks(
                    self.neo4j_store, self.crawl_id, after, span
                )
            )
            if not ids:
                return
            after = ids[-1]
            chunks = [
                ids[i : i + endpoints.FEATURES_BATCH]
                for i in range(0, len(ids), endpoints.FEATURES_BATCH)
            ]
            await asyncio.gather(*(one(chunk) for chunk in chunks))

    # -- the whole run -----------------------------------------------------------------

    async def run(self, handle_signals: bool) -> CrawlSummary:
        started = self.clock()
        settings = self.settings
        loop = asyncio.get_running_loop()
        if handle_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, self.on_signal)
        try:
            async with GraphStore(self.neo4j) as store:
                self.neo4j_store = store
                await ensure_schema(store)
                params = {
                    **{k: v for k, v in settings.identity().items() if k != "seeds"},
                    "seeds": list(settings.seeds),
                }
                await frontier.start_crawl(store, self.crawl_id, params, list(settings.seeds))
                async with SpotifyClient(
                    settings.api,
                    clock=self.clock,
                    sleep=self.sleep,
                    wall_clock=self.wall_clock,
                    warn=self.reporter.event,
                ) as client:
                    summary = await self._run_with(client, store, started)
            return summary
        finally:
            if handle_signals:
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(sig)
            self.reporter.close()

    async def _run_with(
        self, client: SpotifyClient, store: GraphStore, started: float
    ) -> CrawlSummary:
        settings = self.settings
        await self.detect_world(client)
        writer = BatchWriter(
            store,
            self.crawl_id,
            flush_rows=settings.flush_rows,
            flush_interval_s=settings.flush_interval_s,
            outage_s=settings.neo4j_outage_s,
            clock=self.clock,
            sleep=self.sleep,
            on_wait=self.reporter.event,
        )
        writer_task = asyncio.create_task(writer.run())
        timer = None
        if settings.max_seconds is not None:
            timer = asyncio.get_running_loop().call_later(settings.max_seconds, self.on_time_limit)
        helpers = [
            asyncio.create_task(self.renew_leases()),
            asyncio.create_task(self.show_progress(client)),
        ]
        cache = SearchCache()
        queue: asyncio.Queue[Claim | None] = asyncio.Queue()
        self._workers = [
            asyncio.create_task(self.worker(client, writer, cache, queue))
            for _ in range(settings.workers)
        ]
        self._workers.append(asyncio.create_task(self.dispatch(queue, writer)))
        writer_task.add_done_callback(self._on_done)
        for task in self._workers:
            task.add_done_callback(self._on_done)
        await asyncio.gather(*self._workers, return_exceptions=True)
        if timer is not None:
            timer.cancel()
        if not writer_task.done():
            await writer.close(writer_task)
        if self.fatal is None and not self.stop.is_set():
            await self.fetch_audio_features(client)
        for task in helpers:
            task.cancel()
        await asyncio.gather(*helpers, return_exceptions=True)
        with contextlib.suppress(GraphStoreError):
            released = await frontier.release(store, self.crawl_id, self.owner)
            if released:
                self.reporter.event(f"released {released} unfinished claims to the queue")
        return await self._summary(client, store, started)

    async def _summary(
        self, client: SpotifyClient, store: GraphStore, started: float
    ) -> CrawlSummary:
        elapsed = self.clock() - started
        fatal = self.fatal
        if isinstance(fatal, RateLimitStop):
            status, message = "rate-limited", str(fatal)
        elif fatal is not None:
            raise fatal
        elif self._time_up:
            status, message = "time-limit", "stopped at --max-seconds; run again to resume"
        elif self.stop.is_set():
            status, message = "stopped", "stopped by interrupt; run the same command to resume"
        else:
            status, message = "finished", None
        try:
            counts = await frontier.progress(store, self.crawl_id)
            reasons = await frontier.inaccessible_reasons(store, self.crawl_id)
        except Neo4jUnavailable:
            counts, reasons = {}, {}
        summary = CrawlSummary(
            crawl_id=self.crawl_id,
            status=status,
            world=self.world,
            playlists_done=counts.get("done", 0),
            inaccessible=counts.get("inaccessible", 0),
            failed=counts.get("failed", 0),
            queued_left=counts.get("queued", 0) + counts.get("claimed", 0),
            visited_here=self.visited,
            tracks=self.tracks,
            skipped=dict(self.skipped),
            requests=client.stats.requests,
            rate_limited=client.stats.rate_limited,
            retries=client.stats.retries,
            audio_features=self.features,
            elapsed_s=round(elapsed, 3),
            playlists_per_s=round(self.visited / elapsed, 3) if elapsed > 0 else 0.0,
            inaccessible_reasons=reasons,
            message=message,
        )
        with contextlib.suppress(GraphStoreError):
            await frontier.end_crawl(
                store,
                self.crawl_id,
                status,
                {
                    "last_playlists_done": summary.playlists_done,
                    "last_world": summary.world,
                    "last_elapsed_s": summary.elapsed_s,
                    "resume_at_epoch": getattr(fatal, "resume_at_epoch", None),
                },
            )
        return summary


async def crawl(
    settings: CrawlSettings,
    neo4j: Neo4jSettings,
    *,
    reporter: Reporter | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    wall_clock: Callable[[], float] = time.time,
    handle_signals: bool = False,
) -> CrawlSummary:
    """Crawl breadth-first from ``settings.seeds`` into the graph at ``neo4j``; resumable."""
    if not settings.seeds:
        raise CrawlerError("give at least one --seed-playlist")
    if not settings.api.has_credentials:
        raise CredentialsMissing(
            "no Spotify credentials: set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET "
            "(or SPOTIFY_ACCESS_TOKEN)"
        )
    crawler = Crawler(settings, neo4j, reporter or SilentReporter(), clock, sleep, wall_clock)
    return await crawler.run(handle_signals)
