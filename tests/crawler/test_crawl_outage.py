"""Neo4j stopped for a few seconds mid-crawl: the crawl waits, carries on, ends equal."""

from __future__ import annotations

import json
import time

import tunegraph.neo4j_server as server
from crawler.crawl_helpers import (
    cli_args,
    cli_caps,
    crawl_settings,
    run_crawl,
    snapshot,
    start_cli,
    wait_for_progress,
)
from support.neo4j_fixtures import free_port
from tunegraph.graphstore.settings import Neo4jSettings

CAPS = dict(max_playlists=16, max_depth=2, tracks_per_playlist=10, artists_per_playlist=4)
CLI_CAPS = [*cli_caps(CAPS), "--workers", "1"]


def test_crawl_waits_out_a_neo4j_restart(simulator_factory, empty_graph, neo4j_paths, tmp_path):
    sim = simulator_factory(latency_ms=120)
    seeds = sim.world.seed_playlist_ids(2)
    reference = run_crawl(crawl_settings(sim, seeds, workers=8, **CAPS), empty_graph)
    assert reference.status == "finished"
    expected = snapshot(empty_graph)

    spec = server.InstanceSpec(
        port=free_port(),
        data_dir=tmp_path / "neo4j-outage",
        password="outage-test",
        heap_mb=512,
        pagecache_mb=64,
        ready_timeout_s=180,
    )
    record, _ = server.start(spec, neo4j_paths)
    own = Neo4jSettings(uri=record.uri, user="neo4j", password=spec.password)
    try:
        proc = start_cli(cli_args(sim, own, seeds, *CLI_CAPS))
        wait_for_progress(proc, own, 2, timeout_s=90)
        server.stop(neo4j_paths, spec.port)
        assert proc.poll() is None, "the crawl ended instead of waiting for Neo4j"
        time.sleep(3)
        assert proc.poll() is None, "the crawl ended instead of waiting for Neo4j"
        server.start(spec, neo4j_paths)
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        assert json.loads(out)["status"] == "finished"
        assert "Traceback" not in err and "retried" not in err  # no driver noise
        graph = snapshot(own)
        graph.assert_no_duplicates()
        assert graph.content() == expected.content()
        assert graph.states == expected.states
    finally:
        server.stop(neo4j_paths, spec.port)
