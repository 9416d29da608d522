"""Fault injection: each kind as a client meets it, seeded and counted."""

from __future__ import annotations

import json
import time

import pytest

from tunegraph.simulator.faults import FAULT_KINDS, FaultInjector, parse_kinds


def _track(sim):
    return next(iter(sim.world.tracks))


@pytest.mark.parametrize("kind", ["500", "502", "503"])
def test_error_faults(simulator_factory, kind):
    sim = simulator_factory(faults=1.0, fault_kinds=(kind,))
    result = sim.get(f"/tracks/{_track(sim)}")
    assert result.status == int(kind)
    assert result.json()["error"]["status"] == int(kind)
    stats = sim.stats()
    assert stats["faults_injected"] == {kind: 1}
    assert stats["requests"]["GET /v1/tracks/{id}"] == {kind: 1}


def test_latency_fault_delays_then_answers(simulator_factory):
    sim = simulator_factory(faults=1.0, fault_kinds=("latency",), fault_latency_s=0.3)
    token = sim.token()
    started = time.monotonic()
    result = sim.get(f"/tracks/{_track(sim)}", token=token)
    assert result.status == 200 and result.json()["id"] == _track(sim)
    assert time.monotonic() - started >= 0.3


def test_fixed_latency_applies_to_every_api_request(simulator_factory):
    def fastest(sim):
        token, times = sim.token(), []
        for _ in range(3):
            started = time.monotonic()
            assert sim.get(f"/tracks/{_track(sim)}", token=token).status == 200
            times.append(time.monotonic() - started)
        return min(times)

    assert fastest(simulator_factory(latency_ms=80)) >= 0.08
    assert fastest(simulator_factory()) < 0.08


def test_stall_outlasts_a_client_timeout(simulator_factory):
    sim = simulator_factory(faults=1.0, fault_kinds=("stall",), stall_s=5.0)
    token = sim.token()
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        sim.request("GET", f"/v1/tracks/{_track(sim)}", token=token, timeout=0.3)
    assert 0.25 < time.monotonic() - started < 4.0
    assert sim.stats()["faults_injected"] == {"stall": 1}


def test_a_stalled_request_does_not_hold_up_shutdown(simulator_factory):
    sim = simulator_factory(faults=1.0, fault_kinds=("stall",), stall_s=60.0)
    token = sim.token()
    with pytest.raises(TimeoutError):
        sim.request("GET", f"/v1/tracks/{_track(sim)}", token=token, timeout=0.2)
    started = time.monotonic()
    sim.thread.stop()
    assert time.monotonic() - started < 5.0


def test_truncated_body_is_a_prefix_of_the_real_one(simulator_factory):
    sim = simulator_factory(faults=1.0, fault_kinds=("truncated",))
    track_id = _track(sim)
    result = sim.get(f"/tracks/{track_id}")
    assert result.status == 200
    full = sim.state.renderer.track_json(sim.base_url, track_id).encode()
    assert result.body == full[: len(full) // 2]
    with pytest.raises(json.JSONDecodeError):
        result.json()


def test_malformed_body_is_not_json(simulator_factory):
    sim = simulator_factory(faults=1.0, fault_kinds=("malformed",))
    result = sim.get(f"/tracks/{_track(sim)}")
    assert result.status == 200 and result.headers["Content-Type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        result.json()


def test_dropped_connection(simulator_factory):
    sim = simulator_factory(faults=1.0, fault_kinds=("drop",))
    token = sim.token()
    with pytest.raises(ConnectionError):
        sim.request("GET", f"/v1/tracks/{_track(sim)}", token=token)
    stats = sim.stats()
    assert stats["faults_injected"] == {"drop": 1}
    assert stats["requests"]["GET /v1/tracks/{id}"] == {"0": 1}


def test_faults_follow_the_seed_and_rate(simulator_factory):
    def statuses(seed):
        sim = simulator_factory(faults=0.3, fault_seed=seed, fault_kinds=("500", "503"))
        token = sim.token()
        return [sim.get(f"/tracks/{_track(sim)}", token=token).status for _ in range(80)]

    first, again, other = statuses(5), statuses(5), statuses(6)
    assert first == again
    assert first != other
    faulted = sum(s != 200 for s in first)
    assert 10 <= faulted <= 40
    assert {s for s in first} <= {200, 500, 503}


def test_injector_and_kind_parsing():
    a, b = FaultInjector(0.5, 1), FaultInjector(0.5, 1)
    assert [a.draw() for _ in range(50)] == [b.draw() for _ in range(50)]
    assert FaultInjector(0.0, 1).draw() is None
    always = FaultInjector(1.0, 2, ("drop",))
    assert [always.draw() for _ in range(3)] == ["drop"] * 3 and always.injected == {"drop": 3}
    assert parse_kinds("all") == FAULT_KINDS
    assert parse_kinds("500, stall") == ("500", "stall")
    with pytest.raises(ValueError, match="unknown fault kind '404'"):
        parse_kinds("404")
    with pytest.raises(ValueError, match="between 0 and 1"):
        FaultInjector(1.5, 0)


def test_simulator_endpoints_and_token_are_never_faulted(simulator_factory):
    sim = simulator_factory(faults=1.0, fault_kinds=("500",))
    assert sim.request("GET", "/_simulator/world").status == 200
    assert sim.token(fresh=True)
    assert sim.stats()["faults_total"] == 0
