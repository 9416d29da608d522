"""The crawl finds exactly the breadth-first closure within the caps (real HTTP, real Neo4j)."""

from __future__ import annotations

from crawler.crawl_helpers import crawl_settings, expected_closure, run_crawl, snapshot
from tunegraph.graphstore.frontier import DONE, INACCESSIBLE


def test_capped_crawl_equals_world_closure(simulator_factory, empty_graph):
    sim = simulator_factory(mess=frozenset())
    seeds = sim.world.seed_playlist_ids(2)
    settings = crawl_settings(sim, seeds, max_playlists=20, workers=6)
    expected = expected_closure(sim.world, settings)
    assert len(expected.visited) == 20  # the cap binds, so its cut is tested
    assert expected.found, "the world must give the searches something to find"

    summary = run_crawl(settings, empty_graph)

    graph = snapshot(empty_graph)
    graph.assert_no_duplicates()
    visited = {pid for pid, state in graph.states.items() if state in (DONE, INACCESSIBLE)}
    assert visited == set(expected.visited)
    assert {p for p, s in graph.states.items() if s == DONE} == expected.done
    assert graph.nodes["Track"] == expected.tracks
    assert graph.nodes["Artist"] == expected.artists
    contains = {(a, b, pos) for a, b, pos, *_ in graph.rels["CONTAINS"]}
    assert contains == expected.contains
    found = {(a, b, rank) for a, b, _pos, rank, *_ in graph.rels["FOUND"]}
    assert found == expected.found
    assert summary.status == "finished"
    assert summary.playlists_done == len(expected.done)
    assert summary.world == "extended"
    assert summary.audio_features == "on"


def test_uncapped_crawl_runs_out_of_frontier(simulator_factory, empty_graph):
    sim = simulator_factory(mess=frozenset())
    seeds = sim.world.seed_playlist_ids(1)
    settings = crawl_settings(
        sim, seeds, max_playlists=None, max_depth=1, artists_per_playlist=2, search_limit=3
    )
    expected = expected_closure(sim.world, settings)
    summary = run_crawl(settings, empty_graph)
    graph = snapshot(empty_graph)
    visited = {pid for pid, state in graph.states.items() if state in (DONE, INACCESSIBLE)}
    assert visited == set(expected.visited)
    assert summary.queued_left == 0
    # a rerun of a finished crawl fetches no playlist again
    sim.reset_stats()
    again = run_crawl(settings, empty_graph)
    assert again.visited_here == 0
    assert sim.stats()["items_requests"] == {}
