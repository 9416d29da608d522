"""Rolling-window rate limit, daily quota, and the Retry-After request log."""

from __future__ import annotations

import time


def _pid(sim):
    return next(p.id for p in sim.world.playlists.values() if p.public)


def test_burst_over_the_limit_gets_429_then_serves_after_retry_after(
    simulator_factory, manual_clock
):
    sim = simulator_factory(rate_limit=5, rate_window_s=30, clock=manual_clock)
    pid = _pid(sim)
    token = sim.token()
    statuses = []
    for _ in range(5):
        statuses.append(sim.get(f"/playlists/{pid}", token=token).status)
        manual_clock.advance(1.0)
    refused = sim.get(f"/playlists/{pid}", token=token)
    assert statuses == [200] * 5
    assert refused.status == 429
    assert refused.headers["Retry-After"] == "25"  # the first request leaves the window 25 s later
    assert refused.json()["error"] == {"status": 429, "message": "API rate limit exceeded"}
    manual_clock.advance(24.5)
    assert sim.get(f"/playlists/{pid}", token=token).status == 429
    manual_clock.advance(0.5)
    assert sim.get(f"/playlists/{pid}", token=token).status == 200
    stats = sim.stats()
    assert stats["served_429"] == 2
    assert stats["requests"]["GET /v1/playlists/{id}"] == {"200": 6, "429": 2}
    assert stats["max_admitted_in_window"] == 5
    assert [e["retry_after"] for e in stats["rate_limit_events"]] == [25, 1]
    assert stats["rate_limit_events"][0]["t"] == 5.0


def test_real_clock_short_window(simulator_factory):
    sim = simulator_factory(rate_limit=3, rate_window_s=2.0)
    pid, token = _pid(sim), sim.token()
    statuses = [sim.get(f"/playlists/{pid}", token=token).status for _ in range(4)]
    assert statuses[:3] == [200, 200, 200] and statuses[3] == 429
    refused = sim.get(f"/playlists/{pid}", token=token)
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 2
    time.sleep(wait)
    assert sim.get(f"/playlists/{pid}", token=token).status == 200


def test_requests_during_retry_after_are_counted_per_client(simulator_factory, manual_clock):
    sim = simulator_factory(rate_limit=2, rate_window_s=10, clock=manual_clock)
    pid, token = _pid(sim), sim.token()
    tag = {"X-Client-Tag": "worker-a"}
    for _ in range(2):
        assert sim.request("GET", f"/v1/playlists/{pid}", token=token, headers=tag).status == 200
    assert sim.request("GET", f"/v1/playlists/{pid}", token=token, headers=tag).status == 429
    assert sim.stats()["requests_during_retry_after"] == 0
    manual_clock.advance(3)
    assert sim.request("GET", f"/v1/playlists/{pid}", token=token, headers=tag).status == 429
    other = sim.request(
        "GET", f"/v1/playlists/{pid}", token=token, headers={"X-Client-Tag": "worker-b"}
    )
    assert other.status == 429  # same app, same window: refused, but b was never told to wait
    stats = sim.stats()
    assert stats["requests_during_retry_after"] == 1
    assert stats["requests_during_retry_after_by_client"] == {"worker-a": 1}
    assert [e["client"] for e in stats["rate_limit_events"]] == ["worker-a", "worker-a", "worker-b"]
    manual_clock.advance(10)
    assert sim.request("GET", f"/v1/playlists/{pid}", token=token, headers=tag).status == 200
    assert sim.stats()["requests_during_retry_after"] == 1


def test_daily_quota_answers_quota_exceeded_with_a_long_retry_after(
    simulator_factory, manual_clock
):
    sim = simulator_factory(daily_quota=3, clock=manual_clock, token_ttl=10**6)
    pid, token = _pid(sim), sim.token()
    assert [sim.get(f"/playlists/{pid}", token=token).status for _ in range(3)] == [200] * 3
    manual_clock.advance(3600)
    refused = sim.get(f"/playlists/{pid}", token=token)
    assert refused.status == 429
    assert refused.json()["error"]["reason"] == "QUOTA_EXCEEDED"
    assert int(refused.headers["Retry-After"]) == 86400 - 3600
    manual_clock.advance(86400 - 3600)
    assert sim.get(f"/playlists/{pid}", token=token).status == 200


def test_unlimited_by_default_and_peak_window_is_measured(simulator_factory, manual_clock):
    sim = simulator_factory(clock=manual_clock, rate_window_s=30)
    pid, token = _pid(sim), sim.token()
    for _ in range(12):
        assert sim.get(f"/playlists/{pid}", token=token).status == 200
    manual_clock.advance(31)
    for _ in range(4):
        assert sim.get(f"/playlists/{pid}", token=token).status == 200
    stats = sim.stats()
    assert stats["max_requests_in_window"] == 12 and stats["served_429"] == 0
