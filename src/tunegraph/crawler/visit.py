"""One playlist's visit: fetch it, its tracks and its artists' searches; build the rows.

Pure of Neo4j: the outcome (graph rows, children, final state) goes to the writer.
Which artists are searched and in what order is fixed by the playlist's content, so
the children and their keys do not depend on timing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tunegraph.crawler import endpoints
from tunegraph.crawler.client import SpotifyClient
from tunegraph.crawler.errors import ApiError
from tunegraph.crawler.models import ArtistRef, Entry, PlaylistInfo, SearchPage
from tunegraph.crawler.settings import CrawlSettings
from tunegraph.graphstore.frontier import DONE, INACCESSIBLE, Claim, child_key
from tunegraph.graphstore.writers import GraphBatch

SOURCE = "spotify-crawl"


@dataclass
class Outcome:
    playlist_id: str
    state: str
    reason: str | None = None
    error: str | None = None
    batch: GraphBatch = field(default_factory=GraphBatch)
    children: list[dict[str, Any]] = field(default_factory=list)
    tracks: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    forbidden: bool = False

    def finished_row(self) -> dict[str, Any]:
        return {
            "id": self.playlist_id,
            "state": self.state,
            "reason": self.reason,
            "error": self.error,
        }


class SearchCache:
    """Search answers per (query, page) for this process: artists recur across playlists."""

    def __init__(self, limit: int = 50_000) -> None:
        self._pages: dict[tuple[str, int], SearchPage] = {}
        self.limit = limit

    async def page(self, client: SpotifyClient, query: str, page: int, size: int) -> SearchPage:
        key = (query, page)
        cached = self._pages.get(key)
        if cached is not None:
            return cached
        result = await endpoints.search_playlists(client, query, page * size, size)
        if len(self._pages) >= self.limit:
            self._pages.clear()
        self._pages[key] = result
        return result


def inaccessible_reason(status: int, message: str) -> str:
    if status == 403:
        return (
            "403 forbidden: a development-mode app may read only the items of playlists "
            "its user owns or collaborates on"
        )
    if status == 404:
        return "404 not found: private, deleted, or a Spotify editorial playlist"
    return f"{status}: {message}"


def distinct_artists(entries: list[Entry], cap: int) -> list[ArtistRef]:
    seen: dict[str, ArtistRef] = {}
    for entry in entries:
        for artist in entry.track.artists:
            if artist.id not in seen:
                seen[artist.id] = artist
    return list(seen.values())[:cap]


def add_playlist_rows(batch: GraphBatch, info: PlaylistInfo, entries: list[Entry]) -> None:
    batch.add_node(
        "Playlist",
        info.id,
        name=info.name,
        description=info.description,
        snapshot_id=info.snapshot_id,
        followers=info.followers,
        source=SOURCE,
    )
    if info.owner_id:
        batch.add_node("User", info.owner_id, display_name=info.owner_name)
        batch.add_relationship("OWNS", user_id=info.owner_id, playlist_id=info.id)
    for entry in entries:
        track = entry.track
        batch.add_node(
            "Track",
            track.id,
            name=track.name,
            duration_ms=track.duration_ms,
            explicit=track.explicit,
            popularity=track.popularity,
        )
        batch.add_relationship(
            "CONTAINS",
            playlist_id=info.id,
            track_id=track.id,
            position=entry.position,
            added_at=entry.added_at,
        )
        for position, artist in enumerate(track.artists):
            batch.add_node("Artist", artist.id, name=artist.name)
            batch.add_relationship("BY", track_id=track.id, artist_id=artist.id, position=position)
        if track.album is not None:
            batch.add_node(
                "Album",
                track.album.id,
                name=track.album.name,
                release_date=track.album.release_date,
            )
            batch.add_relationship("ON", track_id=track.id, album_id=track.album.id)


async def visit(
    client: SpotifyClient, settings: CrawlSettings, claim: Claim, searches: SearchCache
) -> Outcome:
    """Everything one playlist contributes; API refusals become an inaccessible outcome."""
    pid = claim.playlist_id
    try:
        info, first = await endpoints.get_playlist(client, pid)
        entries, skipped = await endpoints.get_entries(
            client, pid, settings.tracks_per_playlist, first
        )
    except ApiError as exc:
        if exc.status in (400, 403, 404):
            return Outcome(
                pid,
                INACCESSIBLE,
                reason=inaccessible_reason(exc.status, exc.message),
                forbidden=exc.status == 403,
            )
        raise
    outcome = Outcome(pid, DONE, tracks=len(entries), skipped=skipped)
    add_playlist_rows(outcome.batch, info, entries)
    if claim.depth >= settings.max_depth:
        return outcome
    for artist_index, artist in enumerate(distinct_artists(entries, settings.artists_per_playlist)):
        if not artist.name:
            continue
        for page_number in range(settings.search_pages):
            page = await searches.page(client, artist.name, page_number, settings.search_limit)
            if page.invalid:
                outcome.skipped["invalid search result id"] += page.invalid
            for rank, found_id in page.results:
                outcome.batch.add_relationship(
                    "FOUND", artist_id=artist.id, playlist_id=found_id, query=artist.name, rank=rank
                )
                outcome.children.append(
                    {
                        "id": found_id,
                        "depth": claim.depth + 1,
                        "key": child_key(claim.key, artist_index, rank),
                    }
                )
            if not page.next:
                break
    return outcome
