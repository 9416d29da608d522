"""`tunegraph viz crawl` reads a crawl-shaped graph from Neo4j and draws it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from click.testing import CliRunner

from tunegraph.cli.main import cli
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.graphstore.writers import GraphBatch, write_batch


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
