"""What `tunegraph demo` tells while it runs: one method a step, lines through ``say``.

The steps in `tunegraph.demo` return results and print nothing; this turns those
results into the demo's lines and its two-column playlist-beside-recommendations table.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tunegraph.crawler import CrawlSummary
    from tunegraph.demo import CrawlSource, DemoSettings, SeedRecommendations
    from tunegraph.graphstore.export import ExportResult
    from tunegraph.model.api import EvalReport, TrainResult
    from tunegraph.viz.crawl_plot import CrawlPlotSummary

Say = Callable[[str], None]

SPOTIFY_NOTE = (
    "[spotify] crawling the real Spotify Web API. Apps in development mode can read "
    "only playlists their user owns or collaborates on (others answer 403, Spotify's "
    "own editorial playlists 404), search pages hold 10 results, and audio features "
    "and popularity are withheld: expect a small graph."
)


class DemoPresenter:
    """Formats each step's result as the demo's progress lines."""

    def __init__(self, say: Say) -> None:
        self.say = say

    def source(self, settings: DemoSettings, source: CrawlSource) -> None:
        if source.simulator is None or source.world is None:
            self.say(SPOTIFY_NOTE)
            return
        world = source.world
        self.say(
            f"[simulator] a generated Spotify (seed {settings.world.seed}: "
            f"{len(world.playlists)} playlists, {len(world.tracks)} tracks, "
            f"{len(world.artists)} artists) on {source.simulator.base_url} "
            f"in {source.start_seconds:.1f} s"
        )

    def crawl_starting(self, settings: DemoSettings, seeds: tuple[str, ...]) -> None:
        self.say(
            f"[crawl] breadth-first from {', '.join(seeds)} with {settings.workers} workers, "
            f"up to {settings.max_playlists} playlists, depth ≤ {settings.max_depth} …"
        )

    def crawled(self, summary: CrawlSummary) -> None:
        self.say(
            f"[crawl] {summary.status} ({summary.world} mode): {summary.playlists_done} playlists "
            f"done, {summary.inaccessible} inaccessible, {summary.tracks} tracks, "
            f"{summary.requests} requests, {summary.rate_limited} × 429, {summary.retries} "
            f"retries, {summary.playlists_per_s:.1f} playlists/s this run, "
            f"{summary.elapsed_s:.1f} s"
        )

    def export_starting(self) -> None:
        self.say("[export] interactions, track features and vocabularies from Neo4j …")

    def exported(self, exported: ExportResult, data_dir: Path) -> None:
        self.say(
            f"[export] {exported.interactions} interactions, {exported.playlists} playlists, "
            f"{exported.tracks} tracks → {data_dir} in {exported.seconds:.1f} s "
            f"({exported.rows_per_second:,.0f} rows/s)"
        )

    def model_kept(self, model_dir: Path) -> None:
        self.say(f"[train] the graph has not changed since the last run: keeping {model_dir}")

    def train_starting(self, epochs: int) -> None:
        self.say(
            f"[train] ALS, neighbours, names and a two-tower model ({epochs} epochs),"
            " then a ranker …"
        )

    def epoch(self, epoch: int, epochs: int, loss: float, recall: float) -> None:
        self.say(
            f"[train] epoch {epoch}/{epochs}: loss {loss:.4f}, validation recall@50 {recall:.4f}"
        )

    def trained(self, result: TrainResult, seconds: float, model_dir: Path) -> None:
        self.say(
            f"[train] {result.examples} examples, {result.examples_per_second:,.0f} examples/s, "
            f"best epoch {result.best_epoch}, ranker '{result.ranker}', "
            f"{seconds:.1f} s → {model_dir}"
        )

    def evaluated(self, report: EvalReport, seconds: float) -> None:
        from tunegraph.model.metrics import CHALLENGE_METRICS

        self.say(f"[evaluate] {report.playlists} held-out playlists, {seconds:.1f} s:")
        for name, row in report.rows.items():
            self.say(f"    {name:<14} " + "  ".join(f"{m} {row[m]:.3f}" for m in CHALLENGE_METRICS))

    def recommendations(self, found: SeedRecommendations, k: int) -> None:
        """The playlist's own tracks on the left, the model's picks on the right."""
        self.say(f"[recommend] the seed playlist {found.seed} and the model's top {k} for it:")
        if found.note is not None:
            self.say(f"[recommend] {found.note}")
        own, recs = found.own, found.recommended
        width = max([len(line) for line in own] + [20])
        self.say(f"    {'in the playlist':<{width}}   recommended")
        for index in range(max(len(own), len(recs))):
            left = own[index] if index < len(own) else ""
            right = (
                f"{recs[index].name} — {', '.join(recs[index].artists)}"
                if index < len(recs)
                else ""
            )
            self.say(f"    {left:<{width}}   {right}")

    def pictures(self, drawn: CrawlPlotSummary, out: Path) -> None:
        self.say(
            f"[pictures] {out / 'crawl.png'} ({drawn.playlists} playlists, {drawn.artists} "
            f"artists), {out / 'model' / 'curves.png'}, {out / 'evaluation.png'}"
        )
