"""The bounded wait on a cluster's peers (no TensorFlow): a fake clock, a scripted probe."""

from __future__ import annotations

import socket
from collections.abc import Sequence

import pytest

from tunegraph.model.twotower.cluster import (
    ClusterError,
    ClusterTimeout,
    accepts_connections,
    parse_cluster,
    wait_for,
    wait_for_chief,
)
from tunegraph.testing.ports import free_port


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.now += seconds


def _wait(cluster_text: str, index: int, up_after_s: float | None, timeout_s: float):
    """The worker's wait, the chief's port opening after ``up_after_s`` (None: never)."""
    fake = FakeClock()
    notices: list[tuple[float, list[str]]] = []
    probed: list[str] = []

    def probe(address: str) -> bool:
        probed.append(address)
        return up_after_s is not None and fake.now >= up_after_s

    cluster = parse_cluster(cluster_text, index, timeout_s)

    def on_waiting(absent: Sequence[str]) -> None:
        notices.append((fake.now, list(absent)))

    try:
        wait_for_chief(cluster, on_waiting, probe, clock=fake.clock, sleep=fake.sleep)
    except ClusterTimeout as exc:
        return exc, notices, probed, fake.now
    return None, notices, probed, fake.now


def test_a_worker_whose_chief_never_comes_says_so_then_gives_up():
    error, notices, probed, ended = _wait("127.0.0.1:8818,127.0.0.1:8819", 1, None, 30.0)
    assert isinstance(error, ClusterTimeout)
    assert "gave up after 30 s waiting for the chief 127.0.0.1:8818" in str(error)
    assert "\n" not in str(error)
    assert ended == pytest.approx(30.0)
    assert len(notices) == 1 and notices[0][0] <= 3.0  # told within a few seconds, once
    assert notices[0][1] == ["the chief 127.0.0.1:8818"]
    assert set(probed) == {"127.0.0.1:8818"}  # the chief only: the others are not up yet


def test_a_worker_goes_on_once_the_chief_listens():
    error, notices, _, ended = _wait("a:1,b:2,c:3", 2, 5.0, 300.0)
    assert error is None and ended == pytest.approx(5.0)
    assert [absent for _, absent in notices] == [["the chief a:1"]]


def test_the_chief_does_not_wait_here():
    error, notices, probed, ended = _wait("a:1,b:2", 0, None, 1.0)
    assert (error, notices, probed, ended) == (None, [], [], 0.0)


def test_a_short_wait_is_not_announced():
    fake = FakeClock()
    answers = iter([["x"], ["x"], []])
    told: list[Sequence[str]] = []
    wait_for(lambda: next(answers), 10.0, on_waiting=told.append, clock=fake.clock,
             sleep=fake.sleep, notice_after_s=2.0, interval_s=0.5)  # fmt: skip
    assert told == [] and fake.now == pytest.approx(1.0)


def test_the_probe_is_a_real_tcp_connect():
    port = free_port()
    assert not accepts_connections(f"127.0.0.1:{port}", timeout_s=0.5)
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))
        server.listen()
        assert accepts_connections(f"127.0.0.1:{port}", timeout_s=0.5)


def test_the_timeout_must_be_positive():
    with pytest.raises(ClusterError, match="--cluster-timeout"):
        parse_cluster("a:1,b:2", 1, 0.0)
