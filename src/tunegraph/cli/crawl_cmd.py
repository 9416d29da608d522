"""`tunegraph crawl`: options and credentials in, one `crawl()` call, a summary out.

The command owns the process: Ctrl-C (or SIGTERM) asks the crawl to stop gracefully,
a second one exits at once, and the exit code tells how the crawl ended.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from typing import Any

import click

from tunegraph.cli.common import neo4j_options, remember_secrets
from tunegraph.cli.errors import cli_errors
from tunegraph.cli.logs import driver_log_level
from tunegraph.crawler import (
    ApiSettings,
    CrawlSettings,
    CrawlSummary,
    StopSwitch,
    crawl,
    parse_playlist_ref,
)
from tunegraph.crawler.progress import Reporter, SilentReporter, default_reporter
from tunegraph.crawler.settings import DEFAULT_API_URL, DEFAULT_TOKEN_URL
from tunegraph.graphstore.settings import Neo4jSettings

EXIT_RATE_LIMITED = 3
EXIT_INTERRUPTED = 130
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _positive(ctx: click.Context, param: click.Parameter, value: int) -> int:
    if value is not None and value < 1:
        raise click.BadParameter("must be at least 1")
    return value


@click.command("crawl")
@click.option(
    "--seed-playlist",
    "seeds",
    multiple=True,
    required=True,
    metavar="ID_OR_URL",
    help="Playlist id, spotify:playlist:ID or open.spotify.com URL (repeatable).",
)
@click.option(
    "--workers",
    default=8,
    show_default=True,
    callback=_positive,
    help="Concurrent requests (asyncio tasks) in this process.",
)
@click.option(
    "--max-depth",
    default=2,
    show_default=True,
    type=click.IntRange(min=0),
    help="Breadth-first levels below the seeds (0: the seeds only).",
)
@click.option(
    "--max-playlists",
    default=100,
    show_default=True,
    type=click.IntRange(min=0),
    help="Playlists to visit, nearest first (0: no cap).",
)
@click.option(
    "--tracks-per-playlist",
    default=50,
    show_default=True,
    callback=_positive,
    help="Tracks read per playlist (its first ones), whose artists lead further.",
)
@click.option(
    "--artists-per-playlist",
    default=50,
    show_default=True,
    type=click.IntRange(min=0),
    help="Artists whose names are searched, per playlist.",
)
@click.option(
    "--search-pages",
    default=1,
    show_default=True,
    callback=_positive,
    help="Result pages per artist search.",
)
@click.option(
    "--search-limit",
    default=10,
    show_default=True,
    type=click.IntRange(1, 50),
    help="Results per search page (development-mode apps get at most 10).",
)
@click.option(
    "--rate-limit",
    default=150,
    show_default=True,
    callback=_positive,
    help="Request budget per rolling 30 s, shared by all workers of this process.",
)
@click.option(
    "--max-retry-after",
    default=120.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Longest Retry-After to wait out; longer stops the crawl (resumable).",
)
@click.option(
    "--api-url",
    default=DEFAULT_API_URL,
    show_default=True,
    envvar="SPOTIFY_API_URL",
    help="Spotify Web API, or the simulator's API base.  [env SPOTIFY_API_URL]",
)
@click.option(
    "--token-url",
    default=DEFAULT_TOKEN_URL,
    show_default=True,
    envvar="SPOTIFY_TOKEN_URL",
    help="Where client credentials become a token.  [env SPOTIFY_TOKEN_URL]",
)
@click.option(
    "--client-id", envvar="SPOTIFY_CLIENT_ID", default=None, help="[env SPOTIFY_CLIENT_ID]"
)
@click.option(
    "--client-secret",
    envvar="SPOTIFY_CLIENT_SECRET",
    default=None,
    help="[env SPOTIFY_CLIENT_SECRET]",
)
@click.option(
    "--access-token",
    envvar="SPOTIFY_ACCESS_TOKEN",
    default=None,
    help="A user access token [env SPOTIFY_ACCESS_TOKEN]: lets a development-mode "
    "app read the playlists its user owns or collaborates on.",
)
@click.option(
    "--audio-features/--no-audio-features",
    default=True,
    show_default=True,
    help="Fetch tracks' audio features where the app may (the model uses them).",
)
@click.option(
    "--lease-seconds",
    default=60.0,
    show_default=True,
    type=click.FloatRange(1),
    help="How long a claim lasts without renewal (a killed process's work returns "
    "to the queue after this).",
)
@click.option(
    "--timeout",
    "timeout_s",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.1),
    help="Seconds per HTTP request.",
)
@click.option(
    "--client-tag",
    default=None,
    hidden=True,
    help="X-Client-Tag header (the simulator logs requests per tag).",
)
@click.option(
    "--max-seconds",
    default=None,
    type=click.FloatRange(min=0, min_open=True),
    help="Stop gracefully after this many seconds (run again to resume).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--quiet", is_flag=True, help="No progress display.")
@neo4j_options
@cli_errors
def crawl_cmd(as_json: bool, quiet: bool, neo4j: Neo4jSettings, **options: Any) -> None:
    """Crawl playlists breadth-first from seed playlists into Neo4j; rerun to resume.

    Each playlist's tracks and artists are stored; each artist's name is searched for
    playlists, which join the next level. The frontier lives in Neo4j, so several
    processes with the same options share one crawl, and a stopped crawl resumes.

    \b
    Example:
      export SPOTIFY_CLIENT_ID=… SPOTIFY_CLIENT_SECRET=…
      tunegraph crawl --seed-playlist https://open.spotify.com/playlist/ID \\
          --workers 16 --max-depth 2 --max-playlists 500
    \b
    Against the bundled simulator (`tunegraph simulator serve` prints its URLs):
      tunegraph crawl --seed-playlist ID --api-url http://127.0.0.1:8765/v1 \\
          --token-url http://127.0.0.1:8765/api/token
    """
    settings = _crawl_settings(options)
    summary = _run(settings, neo4j, quiet)
    _print_summary(summary, as_json)
    if summary.status == "rate-limited":
        sys.exit(EXIT_RATE_LIMITED)
    if summary.status == "stopped":
        sys.exit(EXIT_INTERRUPTED)


def _crawl_settings(options: dict[str, Any]) -> CrawlSettings:
    """The options as settings; bad seeds and missing credentials end the command here."""
    playlist_ids = tuple(dict.fromkeys(parse_playlist_ref(s) for s in options["seeds"]))
    client_id, client_secret = options["client_id"], options["client_secret"]
    access_token = options["access_token"]
    remember_secrets(client_secret, access_token)
    if not ((client_id and client_secret) or access_token):
        raise click.ClickException(
            "no Spotify credentials: set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET "
            "(or SPOTIFY_ACCESS_TOKEN for a user token)"
        )
    api = ApiSettings(
        api_url=options["api_url"],
        token_url=options["token_url"],
        client_id=client_id,
        client_secret=client_secret,
        access_token=access_token,
        client_tag=options["client_tag"],
        timeout_s=options["timeout_s"],
        rate_limit=options["rate_limit"],
        max_retry_after_s=options["max_retry_after"],
    )
    return CrawlSettings(
        seeds=playlist_ids,
        api=api,
        workers=options["workers"],
        max_depth=options["max_depth"],
        max_playlists=options["max_playlists"] or None,
        tracks_per_playlist=options["tracks_per_playlist"],
        artists_per_playlist=options["artists_per_playlist"],
        search_pages=options["search_pages"],
        search_limit=options["search_limit"],
        audio_features=options["audio_features"],
        lease_s=options["lease_seconds"],
        max_seconds=options["max_seconds"],
    )


def _run(settings: CrawlSettings, graph: Neo4jSettings, quiet: bool) -> CrawlSummary:
    reporter = SilentReporter() if quiet else default_reporter(sys.stderr)
    # The driver logs each of its own transaction retries; the crawl reports outages itself.
    with driver_log_level(logging.ERROR):
        return crawl_with_interrupts(settings, graph, reporter)


class _Interrupts:
    """The first Ctrl-C (or SIGTERM) stops the crawl gracefully; the second exits at once."""

    def __init__(self, stop: StopSwitch, reporter: Reporter) -> None:
        self.stop = stop
        self.reporter = reporter
        self.count = 0

    def __call__(self) -> None:
        self.count += 1
        if self.count > 1:
            self.reporter.event("second interrupt: stopping at once")
            os._exit(EXIT_INTERRUPTED)
        self.reporter.event(
            "interrupted: flushing writes and releasing claims (interrupt again to stop at once)"
        )
        self.stop.request("interrupt")


def crawl_with_interrupts(
    settings: CrawlSettings, graph: Neo4jSettings, reporter: Reporter | None
) -> CrawlSummary:
    """The crawl, stopped gracefully by a first Ctrl-C or SIGTERM (the demo's too)."""
    return asyncio.run(_crawl_until_interrupted(settings, graph, reporter or SilentReporter()))


async def _crawl_until_interrupted(
    settings: CrawlSettings, graph: Neo4jSettings, reporter: Reporter
) -> CrawlSummary:
    stop = StopSwitch()
    interrupts = _Interrupts(stop, reporter)
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, interrupts)
    try:
        return await crawl(settings, graph, reporter=reporter, stop=stop)
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)


def _print_summary(summary: CrawlSummary, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(summary.as_dict(), indent=2, sort_keys=True))
        return
    click.echo(f"crawl {summary.crawl_id}: {summary.status} ({summary.world} world)")
    click.echo(
        f"  playlists: {summary.playlists_done} done, {summary.inaccessible} inaccessible, "
        f"{summary.failed} failed, {summary.queued_left} left in the queue; "
        f"{summary.visited_here} visited by this process in {summary.elapsed_s:.1f} s "
        f"({summary.playlists_per_s:.2f}/s)"
    )
    skipped = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.skipped.items())) or "none"
    click.echo(f"  tracks stored: {summary.tracks}; skipped entries: {skipped}")
    click.echo(
        f"  requests: {summary.requests}, 429s: {summary.rate_limited}, "
        f"retries: {summary.retries}; audio features: {summary.audio_features}"
    )
    for reason, n in summary.inaccessible_reasons.items():
        click.echo(f"  inaccessible ({n}): {reason}")
    if summary.message:
        click.echo(summary.message)
