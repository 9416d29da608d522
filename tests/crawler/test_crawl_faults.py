"""Faults, rate limits and development mode: the crawl ends with the same graph, or says why."""

from __future__ import annotations

from crawler.crawl_helpers import crawl_settings, run_crawl, snapshot
from support.neo4j_fixtures import reset_graph
from tunegraph.graphstore.frontier import DONE, INACCESSIBLE


class Events:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def event(self, message: str) -> None:
        self.lines.append(message)

    def tick(self, snapshot: dict) -> None:
        pass

    def close(self) -> None:
        pass


def test_faults_and_429s_leave_the_graph_of_a_clean_crawl(simulator_factory, empty_graph):
    clean_sim = simulator_factory()
    seeds = clean_sim.world.seed_playlist_ids(2)
    caps = dict(max_playlists=30, artists_per_playlist=6)
    clean = run_crawl(crawl_settings(clean_sim, seeds, **caps), empty_graph)
    assert clean.status == "finished" and clean.retries == 0 and clean.rate_limited == 0
    expected = snapshot(empty_graph)
    assert sum(expected.node_counts.values()) > 100
    reset_graph(empty_graph)

    sim = simulator_factory(
        faults=0.15,
        fault_seed=5,
        stall_s=1.2,
        fault_latency_s=0.2,
        token_ttl=1.5,
        rate_limit=25,
        rate_window_s=2.0,
    )
    settings = crawl_settings(sim, seeds, api_timeout_s=0.6, api_window_s=2.0, **caps)
    events = Events()
    summary = run_crawl(settings, empty_graph, reporter=events)

    assert summary.status == "finished"
    assert summary.failed == 0, events.lines  # a fault or a 429 never costs a playlist
    stats = sim.stats()
    assert stats["faults_total"] >= 8, stats["faults_injected"]
    assert len(stats["faults_injected"]) >= 4, stats["faults_injected"]
    assert stats["served_429"] >= 1  # the tight limit did bite (the client budget is loose)
    assert summary.rate_limited >= 1 and summary.retries >= 5
    assert stats["tokens_issued"] >= 2  # the short token TTL forced refreshes
    got = snapshot(empty_graph)
    got.assert_no_duplicates()
    assert got.content() == expected.content()
    assert got.states == expected.states
    # Requests already in flight when a 429 went out may still arrive (and stalled or slowed
    # ones arrive late); a client that kept sending during a pause would send far more.
    in_flight = settings.workers - 1
    late = stats["faults_injected"].get("stall", 0) + stats["faults_injected"].get("latency", 0)
    assert stats["requests_during_retry_after"] <= in_flight * stats["served_429"] + late


def test_a_single_worker_never_sends_during_retry_after(simulator_factory, empty_graph):
    sim = simulator_factory(rate_limit=8, rate_window_s=1.5)
    seeds = sim.world.seed_playlist_ids(1)
    settings = crawl_settings(
        sim, seeds, workers=1, max_playlists=6, api_window_s=1.5, audio_features=False
    )
    summary = run_crawl(settings, empty_graph)
    stats = sim.stats()
    assert summary.status == "finished"
    assert stats["served_429"] >= 1
    assert stats["requests_during_retry_after"] == 0


SERVER_RATE, CLIENT_RATE = 8, 6  # a margin: two clocks never agree on a window exactly


def test_client_budget_keeps_429s_away(simulator_factory, empty_graph):
    sim = simulator_factory(rate_limit=SERVER_RATE, rate_window_s=1.0)
    seeds = sim.world.seed_playlist_ids(1)
    settings = crawl_settings(
        sim, seeds, workers=8, max_playlists=6, api_rate_limit=CLIENT_RATE, api_window_s=1.0
    )
    summary = run_crawl(settings, empty_graph)
    assert summary.status == "finished"
    assert sim.stats()["served_429"] == 0
    assert summary.requests > 2 * CLIENT_RATE  # several windows' worth went through the budget


def test_development_mode_records_inaccessible_and_turns_features_off(
    simulator_factory, empty_graph
):
    sim = simulator_factory(mode="development")
    seed = sim.world.seed_playlist_ids(1)[0]
    owner = sim.world.playlists[seed].owner_id
    user_token = sim.token(user_id=owner)
    settings = crawl_settings(sim, [seed], api_access_token=user_token, max_playlists=12)
    events = Events()
    summary = run_crawl(settings, empty_graph, reporter=events)

    assert summary.status == "finished"
    assert summary.world == "development"
    assert any("development mode" in line for line in events.lines)
    graph = snapshot(empty_graph)
    assert graph.states[seed] == DONE
    refused = [p for p, s in graph.states.items() if s == INACCESSIBLE]
    assert refused, "playlists of other users must be refused in development mode"
    assert summary.inaccessible == len(refused)
    for pid in refused:
        assert "403" in graph.reasons[pid] or "404" in graph.reasons[pid]
        assert sim.world.playlists.get(pid) is None or sim.world.playlists[pid].owner_id != owner
    warnings = [line for line in events.lines if "audio features" in line]
    assert len(warnings) == 1 and "403" in warnings[0]
    assert summary.audio_features.startswith("off")
    assert sim.stats()["requests"]["GET /v1/audio-features"] == {"403": 1}
    assert user_token not in " ".join(events.lines)


def test_a_long_retry_after_stops_cleanly_and_says_when_to_resume(simulator_factory, empty_graph):
    sim = simulator_factory(daily_quota=12)
    seeds = sim.world.seed_playlist_ids(1)
    summary = run_crawl(crawl_settings(sim, seeds, max_playlists=30), empty_graph)
    assert summary.status == "rate-limited"
    assert "run the same command again after" in summary.message
    assert "QUOTA_EXCEEDED" in summary.message
    graph = snapshot(empty_graph)
    assert "claimed" not in graph.states.values()  # claims went back to the queue
    assert "queued" in graph.states.values()  # the state is kept for the resume
