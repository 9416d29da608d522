"""Draw the crawl as the original project showed it: playlists and artists, laid out by depth.

Columns are breadth-first levels: seed playlists at depth 0, the artists found in them
half a step right, the playlists those artists' searches found at depth 1, and so on.
Only artists that led somewhere (a FOUND edge) are drawn, plus a sample of the rest,
so a few hundred vertices stay readable. Playlists are coloured by depth, the seed's
neighbourhood is drawn darker than the rest, the hub artists (most edges) are named,
and a panel below counts every playlist found at each depth: the sample above shows
about the same number per column, whatever the frontier's real growth.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend

from tunegraph.errors import TunegraphError
from tunegraph.graphstore.crawl_view import CrawlView
from tunegraph.output_file import image_format, publish_file
from tunegraph.viz.crawl_panels import (
    depth_colours,
    depth_counts,
    draw_frontier,
    hub_artists,
    spread,
)

ARTIST_COLOUR = "#8A8A8A"
HUB_COLOUR = "#333333"
INACCESSIBLE_COLOUR = "#C8C8C8"
HUB_ARTISTS = 8  # named: the artists with the most edges
LEADER = {"arrowstyle": "-", "color": HUB_COLOUR, "linewidth": 0.6, "shrinkA": 0, "shrinkB": 3}
LABEL_GAP = 0.028  # the least height between two labels in one column (the graph spans 0–1)


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


def crawl_figure(
    view: CrawlView, max_artists: int = 300, seed: int = 0
) -> tuple[Figure, CrawlPlotSummary]:
    """The picture as a Figure (tests inspect it) and the counts the CLI prints;
    ``NothingToDraw`` when nothing is crawled yet."""
    if not view.playlists:
        raise NothingToDraw("the graph holds no crawled playlists yet: run `tunegraph crawl` first")
    graph = _crawl_graph(view, _select_artists(view, max_artists, seed))
    parents: dict[str, list[str]] = defaultdict(list)
    for source, target in graph.edges:
        parents[target].append(source)
    positions = _layout(graph.levels, parents)
    max_depth = max(depth for _, depth, _ in view.playlists.values())
    counts = depth_counts(view)
    columns = max(max_depth, *counts)
    colours = depth_colours(columns)
    fig = Figure(figsize=(4 + 3.2 * (columns + 1), 11), dpi=110, layout="constrained")
    ax, frontier = fig.subplots(2, 1, sharex=True, height_ratios=[5, 1.3])
    _draw_edges(ax, view, graph, positions, colours)
    hubs = hub_artists(graph.edges, graph.artist_depth, HUB_ARTISTS)
    _draw_vertices(ax, view, positions, sorted(graph.artist_depth), hubs, colours)
    _name_vertices(ax, view, positions, hubs)
    draw_frontier(frontier, counts, view, colours)
    _frame(fig, ax, view, len(graph.artist_depth), columns)
    summary = CrawlPlotSummary(len(view.playlists), len(graph.artist_depth), len(graph.edges),
                               view.total_playlists, max_depth)  # fmt: skip
    return fig, summary


def draw_crawl(
    view: CrawlView, out: Path, max_artists: int = 300, seed: int = 0
) -> CrawlPlotSummary:
    """Write the picture to ``out`` (PNG); ``NothingToDraw`` when nothing is crawled yet."""
    fig, summary = crawl_figure(view, max_artists, seed)
    with publish_file(out) as tmp:
        fig.savefig(tmp, format=image_format(out))
    return summary


def _draw_edges(
    ax: Axes,
    view: CrawlView,
    graph: _CrawlGraph,
    positions: dict[str, tuple[float, float]],
    colours: list[str],
) -> None:
    """Edges in the colour of their playlist's depth: faint, except the seed's neighbourhood
    (the seeds' artists and what their searches found), which is what a reader follows."""
    seed_artists = {a for p, a in view.contains if view.playlists[p][1] == 0}
    faint: list[tuple[tuple[float, float], tuple[float, float]]] = []
    near: list[tuple[tuple[float, float], tuple[float, float]]] = []
    faint_colours: list[str] = []
    near_colours: list[str] = []
    for source, target in graph.edges:
        playlist, artist = (source, target) if source in view.playlists else (target, source)
        colour = colours[view.playlists[playlist][1]]
        close = view.playlists[playlist][1] == 0 or (artist in seed_artists and target == playlist)
        (near if close else faint).append((positions[source], positions[target]))
        (near_colours if close else faint_colours).append(colour)
    alpha = min(0.3, 100 / max(len(faint), 1))  # many edges: each one fainter
    ax.add_collection(LineCollection(faint, colors=faint_colours, alpha=alpha, linewidths=0.5,
                                     zorder=1))  # fmt: skip
    ax.add_collection(LineCollection(near, colors=near_colours, alpha=0.7, linewidths=0.9,
                                     zorder=1.5))  # fmt: skip


def _draw_vertices(
    ax: Axes,
    view: CrawlView,
    positions: dict[str, tuple[float, float]],
    artists: list[str],
    hubs: list[str],
    colours: list[str],
) -> None:
    """Playlists by depth (the seeds larger, inaccessible ones grey) and artists, hubs larger."""

    def scatter(
        vertices: list[str], colour: str, label: str, size: float, marker: str = "o"
    ) -> None:
        if vertices:
            xs, ys = zip(*(positions[v] for v in vertices), strict=True)
            ax.scatter(xs, ys, s=size, c=colour, label=label, zorder=3, marker=marker,
                       edgecolors="white", linewidths=0.5)  # fmt: skip

    inaccessible = [p for p, (_, _, state) in view.playlists.items() if state == "inaccessible"]
    by_depth: dict[int, list[str]] = defaultdict(list)
    for playlist, (_, depth, state) in view.playlists.items():
        if state != "inaccessible":
            by_depth[depth].append(playlist)
    for depth in sorted(by_depth):
        label = "seed playlists" if depth == 0 else f"playlists at depth {depth}"
        scatter(by_depth[depth], colours[depth], label, 140 if depth == 0 else 38)
    scatter(inaccessible, INACCESSIBLE_COLOUR, "inaccessible playlists", 34, marker="X")
    others = [a for a in artists if a not in set(hubs)]
    scatter(others, ARTIST_COLOUR, f"artists ({len(artists)})", 14)
    scatter(hubs, HUB_COLOUR, "hub artists (most edges), named", 60, marker="D")


def _name_vertices(
    ax: Axes, view: CrawlView, positions: dict[str, tuple[float, float]], hubs: list[str]
) -> None:
    """The seeds' names above them; the hubs' to their right, spread apart within a column so
    that close neighbours do not print over each other (a thin line leads back to the dot)."""
    outline = [patheffects.withStroke(linewidth=3, foreground="white")]
    for p, (name, depth, _) in view.playlists.items():
        if depth == 0:
            ax.annotate(name[:40], positions[p], xytext=(0, 11), textcoords="offset points",
                        ha="center", fontsize=10, fontweight="bold", path_effects=outline,
                        zorder=5)  # fmt: skip
    columns: dict[float, list[str]] = defaultdict(list)
    for artist in hubs:
        columns[positions[artist][0]].append(artist)
    for x, members in columns.items():
        ys = spread([positions[a][1] for a in members], LABEL_GAP)
        for artist, y in zip(members, ys, strict=True):
            ax.annotate(view.artists[artist][:32], positions[artist], xytext=(x + 0.06, y),
                        textcoords="data", va="center", fontsize=9, path_effects=outline,
                        zorder=5, arrowprops=LEADER)  # fmt: skip


def _frame(fig: Figure, ax: Axes, view: CrawlView, artists: int, columns: int) -> None:
    """The title with the counts, what an edge means, the legend; no frame around the graph."""
    ax.set_yticks([])
    ax.set_ylim(-0.02, 1.04)
    ax.set_xlim(-0.4, columns + 0.9)
    ax.tick_params(bottom=False)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    drawn = len(view.playlists)
    total = view.total_playlists
    shown = f"{drawn} of {total:,}" if total > drawn else f"{drawn}"
    fig.suptitle(f"tunegraph crawl: {shown} playlists and {artists} artists drawn, "
                 "breadth-first from the seed", fontsize=13, fontweight="bold")  # fmt: skip
    ax.set_title("edges: playlist → its artists → the playlists a search for the artist found; "
                 "the seed's neighbourhood darker", fontsize=9, color="#555555")  # fmt: skip
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9, frameon=False)
