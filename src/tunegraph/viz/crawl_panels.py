"""Parts of the crawl picture that need no layout: the per-depth frontier panel, the colours
by depth, which artists are hubs, and spreading labels apart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise

from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.ticker import MaxNLocator

from tunegraph.graphstore.crawl_view import CrawlView

SEED_COLOUR = "#E9A23B"
DEPTH_COLOURMAP = "viridis_r"  # light green near the seed to dark blue-violet far away


def depth_counts(view: CrawlView) -> dict[int, int]:
    """Playlists found at each depth: the crawl's real counts when the view has them, else
    the drawn ones (a view built by hand)."""
    if view.depth_counts:
        return dict(sorted(view.depth_counts.items()))
    return dict(sorted(Counter(depth for _, depth, _ in view.playlists.values()).items()))


def depth_colours(columns: int) -> list[str]:
    """One colour per depth 0..columns: the seeds orange, then a sequential ramp, so the
    colour says how far from the seed a playlist was found."""
    ramp = colormaps[DEPTH_COLOURMAP]
    steps = max(columns - 1, 1)
    return [SEED_COLOUR] + [
        to_hex(ramp(0.3 + 0.6 * (d - 1) / steps)) for d in range(1, columns + 1)
    ]


def draw_frontier(
    ax: Axes, counts: Mapping[int, int], view: CrawlView, colours: Sequence[str]
) -> None:
    """A bar per depth with every playlist found there, under the graph's column for it: the
    graph draws a sample of about the same size per depth, this shows the real growth."""
    drawn = Counter(depth for _, depth, _ in view.playlists.values())
    depths = list(counts)
    bars = ax.bar(depths, [counts[d] for d in depths], 0.45, color=[colours[d] for d in depths])
    ax.bar_label(bars, labels=[f"{counts[d]:,}" for d in depths], padding=2, fontsize=10)
    ax.set_xticks(depths, [f"depth {d}\n{drawn.get(d, 0)} drawn" for d in depths], fontsize=9)
    ax.set_ylim(0, max(counts.values(), default=1) * 1.3)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    ax.set_ylabel("playlists found")
    ax.set_title("the frontier: every playlist the crawl found at each depth (the graph above "
                 "draws a sample)", fontsize=9, loc="left", color="#555555")  # fmt: skip
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.yaxis.grid(alpha=0.3)
    ax.set_axisbelow(True)


def hub_artists(
    edges: Iterable[tuple[str, str]], artists: Mapping[str, float], count: int
) -> list[str]:
    """The ``count`` drawn artists with the most edges (at least two), most first: the
    artists the crawl went through most, worth naming."""
    degree = Counter(v for edge in edges for v in edge if v in artists)
    ranked = sorted(degree.items(), key=lambda item: (-item[1], item[0]))
    return [artist for artist, n in ranked[:count] if n >= 2]


def spread(ys: Sequence[float], gap: float, top: float = 1.0) -> list[float]:
    """Label heights near ``ys`` (same order) at least ``gap`` apart and at most ``top``:
    pushed up one by one from the lowest, then down from the highest where that overflows,
    so labels far from a crowd stay where their dots are."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    out = list(ys)
    for below, index in pairwise(order):
        out[index] = max(out[index], out[below] + gap)
    ceiling = top
    for index in reversed(order):
        out[index] = min(out[index], ceiling)
        ceiling = out[index] - gap
    return out
