"""Draw the crawl as the original project showed it: playlists and artists, laid out by depth.

Columns are breadth-first levels: seed playlists at depth 0, the artists found in them
half a step right, the playlists those artists' searches found at depth 1, and so on.
Only artists that led somewhere (a FOUND edge) are drawn, plus a sample of the rest,
so a few hundred vertices stay readable.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend

from tunegraph.errors import TunegraphError
from tunegraph.graphstore.crawl_view import CrawlView
from tunegraph.output_file import image_format, publish_file

PLAYLIST_COLOUR = "#1DB954"  # Spotify green
SEED_COLOUR = "#E9A23B"
ARTIST_COLOUR = "#5B7DB1"
INACCESSIBLE_COLOUR = "#C0C0C0"


class NothingToDraw(TunegraphError, ValueError):
    """The graph holds nothing to draw yet."""


@dataclass(frozen=True)
class CrawlPlotSummary:
    playlists: int
    artists: int
    edges: int
    total_playlists: int
    depth: int


def _select_artists(view: CrawlView, max_artists: int, seed: int) -> set[str]:
    finders = {artist for artist, _ in view.found}
    rest = sorted(set(view.artists) - finders)
    random.Random(seed).shuffle(rest)
    keep = sorted(finders)[:max_artists]
    return set(keep) | set(rest[: max(0, max_artists - len(keep)) // 4])


def _layout(
    levels: dict[float, list[str]], parents: dict[str, list[str]]
) -> dict[str, tuple[float, float]]:
    """Column by column, order each vertex by the mean height of its parents (fewer crossings)."""
    positions: dict[str, tuple[float, float]] = {}
    for x in sorted(levels):
        members = levels[x]

        def height(vertex: str) -> float:
            ys = [positions[p][1] for p in parents.get(vertex, []) if p in positions]
            return sum(ys) / len(ys) if ys else 0.5

        members = sorted(members, key=lambda v: (height(v), v))
        count = len(members)
        for index, vertex in enumerate(members):
            positions[vertex] = (x, (index + 0.5) / count)
    return positions


@dataclass(frozen=True)
class _CrawlGraph:
    """The vertices by column (depth), the drawn artists' depths, and the edges."""

    levels: dict[float, list[str]]
    artist_depth: dict[str, float]
    edges: list[tuple[str, str]]


def _crawl_graph(view: CrawlView, artists: set[str]) -> _CrawlGraph:
    # an artist sits half a step after the shallowest playlist it appears in
    artist_depth: dict[str, float] = {}
    for playlist, artist in view.contains:
        if artist in artists:
            depth = view.playlists[playlist][1] + 0.5
            artist_depth[artist] = min(artist_depth.get(artist, depth), depth)
    levels: dict[float, list[str]] = defaultdict(list)
    for playlist, (_, depth, _) in view.playlists.items():
        levels[float(depth)].append(playlist)
    for artist, depth in sorted(artist_depth.items(), key=lambda item: view.artists[item[0]]):
        levels[depth].append(artist)
    edges = [(p, a) for p, a in view.contains if a in artist_depth] + [
        (a, p) for a, p in view.found if a in artist_depth
    ]
    return _CrawlGraph(levels, artist_depth, edges)


def draw_crawl(
    view: CrawlView, out: Path, max_artists: int = 300, seed: int = 0
) -> CrawlPlotSummary:
    """Write the picture to ``out`` (PNG); ``NothingToDraw`` when nothing is crawled yet."""
    if not view.playlists:
        raise NothingToDraw("the graph holds no crawled playlists yet: run `tunegraph crawl` first")
    graph = _crawl_graph(view, _select_artists(view, max_artists, seed))
    parents: dict[str, list[str]] = defaultdict(list)
    for source, target in graph.edges:
        parents[target].append(source)
    positions = _layout(graph.levels, parents)
    max_depth = max(depth for _, depth, _ in view.playlists.values())
    fig = Figure(figsize=(4 + 3.2 * (max_depth + 1), 9), dpi=110)
    ax = fig.subplots()
    alpha = min(0.35, 120 / max(len(graph.edges), 1))  # many edges: each one fainter
    for source, target in graph.edges:
        (x0, y0), (x1, y1) = positions[source], positions[target]
        ax.plot([x0, x1], [y0, y1], color="#888888", alpha=alpha, linewidth=0.6, zorder=1)
    _draw_vertices(ax, view, positions, sorted(graph.artist_depth))
    _frame(ax, view, len(graph.artist_depth), max_depth)
    fig.tight_layout()
    with publish_file(out) as tmp:
        fig.savefig(tmp, format=image_format(out))
    return CrawlPlotSummary(len(view.playlists), len(graph.artist_depth), len(graph.edges),
                            view.total_playlists, max_depth)  # fmt: skip


def _draw_vertices(
    ax: Axes, view: CrawlView, positions: dict[str, tuple[float, float]], artists: list[str]
) -> None:
    """Playlists (seeds and inaccessible ones apart) and artists, seeds named."""

    def scatter(vertices: list[str], colour: str, label: str, size: float) -> None:
        if vertices:
            xs, ys = zip(*(positions[v] for v in vertices), strict=True)
            ax.scatter(xs, ys, s=size, c=colour, label=f"{label} ({len(vertices)})", zorder=2,
                       edgecolors="white", linewidths=0.4)  # fmt: skip

    playlists = list(view.playlists)
    inaccessible = [p for p in playlists if (view.playlists[p][2] or "") == "inaccessible"]
    seeds = [p for p in playlists if view.playlists[p][1] == 0 and p not in inaccessible]
    others = [p for p in playlists if p not in seeds and p not in inaccessible]
    scatter(others, PLAYLIST_COLOUR, "playlists", 36)
    scatter(seeds, SEED_COLOUR, "seed playlists", 120)
    scatter(inaccessible, INACCESSIBLE_COLOUR, "inaccessible playlists", 30)
    scatter(artists, ARTIST_COLOUR, "artists", 16)
    for p in seeds:
        x, y = positions[p]
        ax.annotate(view.playlists[p][0][:40], (x, y), xytext=(6, 4),
                    textcoords="offset points", fontsize=8)  # fmt: skip


def _frame(ax: Axes, view: CrawlView, artists: int, max_depth: int) -> None:
    """Depth ticks, the title with the counts, the legend."""
    ax.set_xticks(range(max_depth + 1), [f"depth {d}" for d in range(max_depth + 1)])
    ax.set_yticks([])
    ax.set_xlim(-0.4, max_depth + 0.9)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    drawn = len(view.playlists)
    shown = f"{drawn} of {view.total_playlists}" if view.total_playlists > drawn else f"{drawn}"
    ax.set_title(f"tunegraph crawl: {shown} playlists and {artists} artists, "
                 "breadth-first from the seed (edges: playlist → its artists → playlists "
                 "their names found)", fontsize=10)  # fmt: skip
    ax.legend(loc="upper right", fontsize=8, frameon=False)
