"""`tunegraph viz crawl` reads a crawl-shaped graph from Neo4j and draws it; the picture's
parts are checked on the matplotlib Figure of views built by hand."""

from __future__ import annotations

import asyncio
from itertools import combinations, pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from tunegraph.cli.main import cli
from tunegraph.graphstore.crawl_view import CrawlView, read_crawl_view
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.graphstore.writers import GraphBatch, write_batch
from tunegraph.viz.crawl_panels import spread
from tunegraph.viz.crawl_plot import CrawlPlotSummary, NothingToDraw, crawl_figure, draw_crawl


def crawl_graph() -> GraphBatch:
    """seed p0 → artists a0,a1 → FOUND p1,p2 (depth 1) → artist a2 → FOUND p3 (depth 2)."""
    batch = GraphBatch()
    depths = {"p0": 0, "p1": 1, "p2": 1, "p3": 2}
    for playlist, depth in depths.items():
        batch.add_node("Playlist", playlist, name=f"List {playlist}", crawl_depth=depth,
                       crawl_key=playlist, crawl_state="done")  # fmt: skip
    batch.add_node("Playlist", "p4", name="never crawled")  # no depth: not drawn
    tracks = {"p0": [("t0", "a0"), ("t1", "a1")], "p1": [("t2", "a2")], "p2": [("t3", "a2")]}
    for playlist, items in tracks.items():
        for position, (track, artist) in enumerate(items):
            batch.add_relationship("CONTAINS", playlist_id=playlist, track_id=track,
                                   position=position, added_at=None)  # fmt: skip
            batch.add_relationship("BY", track_id=track, artist_id=artist, position=0)
    for artist, playlist in (("a0", "p1"), ("a1", "p2"), ("a2", "p3")):
        batch.add_relationship("FOUND", artist_id=artist, playlist_id=playlist, query=artist,
                               rank=0)  # fmt: skip
    return batch


def test_viz_crawl_draws_playlists_and_artists_by_depth(
    empty_graph: Neo4jSettings, tmp_path: Path
) -> None:
    async def write() -> None:
        async with GraphStore(empty_graph) as store:
            await write_batch(store, crawl_graph())

    asyncio.run(write())
    out = tmp_path / "crawl.png"
    env = {"NEO4J_URI": empty_graph.uri, "NEO4J_PASSWORD": empty_graph.password}
    result = CliRunner().invoke(cli, ["viz", "crawl", "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert "4 playlists (of 4), 3 artists, 7 edges, depth 0–2" in result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.stat().st_size > 10_000


def test_viz_crawl_on_an_empty_graph_is_one_clear_line(
    empty_graph: Neo4jSettings, tmp_path: Path
) -> None:
    env = {"NEO4J_URI": empty_graph.uri, "NEO4J_PASSWORD": empty_graph.password}
    result = CliRunner().invoke(cli, ["viz", "crawl", "--out", str(tmp_path / "x.png")], env=env)
    assert result.exit_code == 1
    assert "no crawled playlists" in result.output


def test_the_view_counts_every_playlist_by_depth_beyond_the_sample(
    empty_graph: Neo4jSettings,
) -> None:
    async def read() -> CrawlView:
        async with GraphStore(empty_graph) as store:
            await write_batch(store, crawl_graph())
            return await read_crawl_view(store, max_playlists=2)

    view = asyncio.run(read())
    assert sorted(depth for _, depth, _ in view.playlists.values()) == [0, 1, 2]  # the sample
    assert view.depth_counts == {0: 1, 1: 2, 2: 1}  # every crawled playlist, p4 not
    frontier = crawl_figure(view)[0].axes[1]
    assert [bar.get_height() for bar in frontier.patches] == [1, 2, 1]


def tiny_view() -> CrawlView:
    """crawl_graph() as read_crawl_view returns it."""
    return CrawlView(
        playlists={p: (f"List {p}", d, "done") for p, d in (("p0", 0), ("p1", 1), ("p2", 1),
                                                            ("p3", 2))},
        artists={a: f"Artist {a}" for a in ("a0", "a1", "a2")},
        contains=[("p0", "a0"), ("p0", "a1"), ("p1", "a2"), ("p2", "a2")],
        found=[("a0", "p1"), ("a1", "p2"), ("a2", "p3")],
        total_playlists=4,
        depth_counts={0: 1, 1: 2, 2: 1},
    )  # fmt: skip


def star_view() -> CrawlView:
    """A seed with 60 artists side by side; 8 of them (Artist 00–07) found two playlists
    each, and 'Hub Hero' is on the seed and every one of those 16, and found 3 more."""
    view = CrawlView(total_playlists=957, depth_counts={0: 1, 1: 54, 2: 902})
    view.playlists["seed"] = ("Road Trip", 0, "done")
    view.artists = {f"a{i:02}": f"Artist {i:02}" for i in range(60)} | {"hub": "Hub Hero"}
    view.contains = [("seed", a) for a in view.artists]
    for i in range(16):
        view.playlists[f"d1-{i:02}"] = (f"found {i}", 1, "done")
        view.found.append((f"a{i // 2:02}", f"d1-{i:02}"))
        view.contains.append((f"d1-{i:02}", "hub"))
    for i in range(3):
        view.playlists[f"d2-{i}"] = (f"far {i}", 2, "inaccessible" if i == 2 else "done")
        view.found.append(("hub", f"d2-{i}"))
    return view


def texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


def test_the_frontier_panel_counts_every_playlist_found_not_the_drawn_sample() -> None:
    graph, frontier = crawl_figure(star_view())[0].axes
    assert [bar.get_height() for bar in frontier.patches] == [1, 54, 902]
    assert texts(frontier) == ["1", "54", "902"]
    ticks = [t.get_text() for t in frontier.get_xticklabels()]
    assert ticks == ["depth 0\n1 drawn", "depth 1\n16 drawn", "depth 2\n3 drawn"]
    assert graph.get_xlim() == frontier.get_xlim()  # each bar under its depth's column


def test_a_view_without_counts_shows_the_drawn_ones() -> None:
    view = tiny_view()
    view.depth_counts = {}
    frontier = crawl_figure(view)[0].axes[1]
    assert [bar.get_height() for bar in frontier.patches] == [1, 2, 1]


def test_the_hub_artists_and_the_seed_are_named_apart() -> None:
    fig, _ = crawl_figure(star_view())
    graph = fig.axes[0]
    hubs = {"Hub Hero"} | {f"Artist {i:02}" for i in range(7)}  # 20 edges, then 3 each
    assert set(texts(graph)) == hubs | {"Road Trip"}  # Artist 07 (3, last by id) is not
    FigureCanvasAgg(fig).draw()
    boxes = [Text.get_window_extent(t) for t in graph.texts]  # the words, not the leader
    assert not [pair for pair in combinations(boxes, 2) if pair[0].overlaps(pair[1])]


def test_playlists_are_coloured_by_depth() -> None:
    graph = crawl_figure(star_view())[0].axes[0]
    legend = [t.get_text() for t in graph.get_legend().get_texts()]
    assert legend[:3] == ["seed playlists", "playlists at depth 1", "playlists at depth 2"]
    colours = [tuple(c.get_facecolor()[0]) for c in graph.collections[2:5]]
    assert len(set(colours)) == 3


def test_draw_crawl_writes_the_picture_and_returns_what_the_cli_prints(tmp_path: Path) -> None:
    out = tmp_path / "crawl.png"
    assert draw_crawl(tiny_view(), out) == CrawlPlotSummary(4, 3, 7, 4, 2)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(NothingToDraw):
        crawl_figure(CrawlView())


def test_spread_keeps_labels_apart_in_order_and_below_the_top() -> None:
    ys = [0.99, 0.5, 0.98, 0.51, 0.2]
    out = spread(ys, 0.03)
    assert out[4] == 0.2 and max(out) <= 1.0
    by_height = sorted(out)
    assert all(b - a >= 0.03 - 1e-9 for a, b in pairwise(by_height))
    assert sorted(range(5), key=lambda i: out[i]) == sorted(range(5), key=lambda i: ys[i])
