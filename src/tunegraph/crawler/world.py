"""Which Spotify the crawl talks to: extended quota, or an app in development mode."""

from __future__ import annotations

from tunegraph.crawler import endpoints
from tunegraph.crawler.client import SpotifyClient
from tunegraph.crawler.errors import ApiError
from tunegraph.crawler.progress import Reporter

EXTENDED, DEVELOPMENT = "extended", "development"


async def detect_world(client: SpotifyClient, reporter: Reporter) -> str:
    """Development-mode apps may ask for at most 10 search results: probe with 11."""
    try:
        await endpoints.search_playlists(client, "music", 0, 11)
    except ApiError as exc:
        if exc.status != 400:
            raise
        reporter.event(
            "world: development mode: the API refuses the items of playlists the token's user "
            "neither owns nor collaborates on (they are recorded as inaccessible), "
            "search answers at most 10 results, popularity is absent"
        )
        return DEVELOPMENT
    reporter.event("world: extended quota: public playlists and their items are readable")
    return EXTENDED
