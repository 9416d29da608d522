"""One worker: take a claim, visit the playlist, hand the outcome to the writer, repeat.

A playlist that fails for its own reasons is recorded as failed and the crawl goes on;
an error that no other playlist would escape (``FATAL``) ends the crawl.
"""

from __future__ import annotations

from tunegraph.crawler.client import SpotifyClient
from tunegraph.crawler.dispatch import Dispatcher
from tunegraph.crawler.errors import (
    ApiUnreachable,
    AuthFailed,
    CrawlerError,
    CredentialsMissing,
    GraphUnavailable,
    RateLimitStop,
)
from tunegraph.crawler.progress import Reporter
from tunegraph.crawler.settings import CrawlSettings
from tunegraph.crawler.stats import CrawlStats
from tunegraph.crawler.visit import Outcome, SearchCache, visit
from tunegraph.crawler.writer import BatchWriter
from tunegraph.graphstore.frontier import FAILED, Claim

FATAL = (AuthFailed, CredentialsMissing, ApiUnreachable, RateLimitStop, GraphUnavailable)


class Worker:
    def __init__(
        self,
        settings: CrawlSettings,
        client: SpotifyClient,
        dispatcher: Dispatcher,
        writer: BatchWriter,
        searches: SearchCache,
        stats: CrawlStats,
        reporter: Reporter,
    ) -> None:
        self.settings = settings
        self.client = client
        self.dispatcher = dispatcher
        self.writer = writer
        self.searches = searches
        self.stats = stats
        self.reporter = reporter

    async def run(self) -> None:
        while (claim := await self.dispatcher.next_claim()) is not None:
            try:
                outcome = await self._visit(claim)
                self.stats.count(outcome, claim.depth)
                await self.writer.submit(outcome)
            finally:
                self.dispatcher.done_with(claim)

    async def _visit(self, claim: Claim) -> Outcome:
        try:
            outcome = await visit(self.client, self.settings, claim, self.searches)
        except FATAL:
            raise
        except CrawlerError as exc:
            self.reporter.event(f"playlist {claim.playlist_id} failed: {exc}")
            return Outcome(claim.playlist_id, FAILED, error=str(exc)[:500])
        if outcome.forbidden and not self.stats.forbidden_warned:
            self.stats.forbidden_warned = True
            self.reporter.event(f"playlist {claim.playlist_id} is inaccessible: {outcome.reason}")
        return outcome
