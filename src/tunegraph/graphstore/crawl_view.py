"""Read the crawl's shape back for drawing: playlists by BFS depth, and the artists between."""

from __future__ import annotations

from dataclasses import dataclass, field

from tunegraph.graphstore.driver import GraphStore

DEPTH_COUNTS = (
    "MATCH (p:Playlist) WHERE p.crawl_depth IS NOT NULL "
    "RETURN p.crawl_depth AS depth, count(*) AS n ORDER BY depth"
)
# Discovery keys extend the discoverer's key, so the first playlists of a level in key
# order are the children of the first playlists of the level before: a connected sample.
PLAYLISTS_AT_DEPTH = (
    "MATCH (p:Playlist) WHERE p.crawl_depth = $depth "
    "RETURN p.id AS id, coalesce(p.name, p.id) AS name, p.crawl_depth AS depth, "
    "p.crawl_state AS state "
    "ORDER BY p.crawl_key, p.id LIMIT $limit"
)
PLAYLIST_ARTISTS = (
    "UNWIND $ids AS pid "
    "MATCH (p:Playlist {id: pid})-[:CONTAINS]->(:Track)-[:BY]->(a:Artist) "
    "RETURN p.id AS playlist, a.id AS artist, coalesce(a.name, a.id) AS name, count(*) AS tracks"
)
FOUND_EDGES = (
    "UNWIND $ids AS pid "
    "MATCH (a:Artist)-[:FOUND]->(p:Playlist {id: pid}) "
    "RETURN a.id AS artist, coalesce(a.name, a.id) AS name, p.id AS playlist"
)


@dataclass
class CrawlView:
    """Vertices (playlists and artists) with a depth each, and directed edges between them."""

    playlists: dict[str, tuple[str, int, str | None]] = field(default_factory=dict)
    artists: dict[str, str] = field(default_factory=dict)
    contains: list[tuple[str, str]] = field(default_factory=list)  # playlist -> artist
    found: list[tuple[str, str]] = field(default_factory=list)  # artist -> playlist
    total_playlists: int = 0
    # every crawled playlist counted by depth, not just the drawn sample: the frontier's growth
    depth_counts: dict[int, int] = field(default_factory=dict)


async def read_crawl_view(store: GraphStore, max_playlists: int) -> CrawlView:
    """Up to `max_playlists` playlists shared fairly between the crawl's levels (first in
    discovery order within each), with the artists that link them."""
    view = CrawlView()
    levels = [(row["depth"], row["n"]) for row in await store.run_read(DEPTH_COUNTS)]
    view.total_playlists = sum(n for _, n in levels)
    view.depth_counts = {int(depth): int(n) for depth, n in levels}
    budget = max_playlists
    for index, (depth, count) in enumerate(levels):
        quota = min(count, max(1, budget // (len(levels) - index)))
        for row in await store.run_read(PLAYLISTS_AT_DEPTH, depth=depth, limit=quota):
            view.playlists[row["id"]] = (row["name"], int(row["depth"]), row["state"])
        budget -= quota
    ids = list(view.playlists)
    for row in await store.run_read(PLAYLIST_ARTISTS, ids=ids):
        view.artists[row["artist"]] = row["name"]
        view.contains.append((row["playlist"], row["artist"]))
    for row in await store.run_read(FOUND_EDGES, ids=ids):
        if row["artist"] in view.artists:
            view.found.append((row["artist"], row["playlist"]))
    return view


PLAYLIST_TRACK_LINES = (
    "MATCH (p:Playlist {id: $id})-[c:CONTAINS]->(t:Track) "
    "OPTIONAL MATCH (t)-[b:BY]->(a:Artist) "
    "WITH c.position AS position, t, a ORDER BY position, b.position "
    "WITH position, t, collect(a.name) AS artists "
    "RETURN coalesce(t.name, t.id) AS name, artists ORDER BY position LIMIT $limit"
)


async def playlist_track_lines(store: GraphStore, playlist_id: str, limit: int) -> list[str]:
    """'Track — Artist, Artist' for the first tracks of a playlist, in playlist order."""
    rows = await store.run_read(PLAYLIST_TRACK_LINES, id=playlist_id, limit=limit)
    return [f"{row['name']} — {', '.join(row['artists'])}" for row in rows]
