"""What the simulator saw, for ``/_simulator/stats``: tests and benchmarks assert on it.

Besides counts by endpoint and status it keeps a request log a crawler test can
check: per playlist, how often its items were fetched and by which client, the
time of every 429, and how many requests a client sent while a Retry-After it
had been given was still running (a well-behaved client sends none).
A client is the ``X-Client-Tag`` request header when sent, else the app's client id.
Only 200 answers of ``/items`` and ``/tracks`` count as fetches; a playlist object
served with its first page embedded is counted apart, as ``embedded``.
"""

from __future__ import annotations

from typing import Any

from tunegraph.simulator.clock import Clock
from tunegraph.simulator.limits import WindowPeak

_MAX_EVENTS = 10_000


class Stats:
    def __init__(self, clock: Clock, window_s: float) -> None:
        self.clock = clock
        self.window_s = window_s
        self.reset()

    def reset(self) -> None:
        self.start = self.clock()
        self.requests: dict[str, dict[int, int]] = {}
        self.total = 0
        self.events_429: list[dict[str, Any]] = []
        self.served_429 = 0
        self.blocked_until: dict[str, float] = {}
        self.during_retry_after: dict[str, int] = {}
        self.items_log: dict[str, dict[str, Any]] = {}
        self.arrivals = WindowPeak(self.window_s)
        self.admitted = WindowPeak(self.window_s)
        self.faults: dict[str, int] = {}

    def count(self, endpoint: str, status: int) -> None:
        """One answered request (any status, faults included)."""
        self.total += 1
        by_status = self.requests.get(endpoint)
        if by_status is None:
            by_status = self.requests[endpoint] = {}
        by_status[status] = by_status.get(status, 0) + 1

    def arrival(self, client: str, now: float) -> None:
        """An authenticated API request arrived (before the rate limit decides)."""
        self.arrivals.add(now)
        until = self.blocked_until.get(client)
        if until is not None and now < until:
            self.during_retry_after[client] = self.during_retry_after.get(client, 0) + 1

    def admit(self, now: float) -> None:
        self.admitted.add(now)

    def refused(self, client: str, now: float, retry_after: int, reason: str | None) -> None:
        self.served_429 += 1
        self.blocked_until[client] = max(self.blocked_until.get(client, 0.0), now + retry_after)
        if len(self.events_429) < _MAX_EVENTS:
            self.events_429.append(
                {
                    "t": round(now - self.start, 6),
                    "client": client,
                    "retry_after": retry_after,
                    "reason": reason,
                }
            )

    def fault(self, kind: str) -> None:
        self.faults[kind] = self.faults.get(kind, 0) + 1

    def items_served(self, playlist_id: str, client: str, offset: int) -> None:
        """A page of a playlist's items answered 200 (either items path)."""
        entry = self._items_entry(playlist_id)
        entry["count"] += 1
        entry["by_client"][client] = entry["by_client"].get(client, 0) + 1
        key = str(offset)
        entry["offsets"][key] = entry["offsets"].get(key, 0) + 1

    def embedded_served(self, playlist_id: str) -> None:
        """A playlist object answered with its first items page embedded (not in ``count``)."""
        self._items_entry(playlist_id)["embedded"] += 1

    def _items_entry(self, playlist_id: str) -> dict[str, Any]:
        entry = self.items_log.get(playlist_id)
        if entry is None:
            entry = {"count": 0, "by_client": {}, "offsets": {}, "embedded": 0}
            self.items_log[playlist_id] = entry
        return entry

    def snapshot(self) -> dict[str, Any]:
        return {
            "uptime_s": round(self.clock() - self.start, 3),
            "total_requests": self.total,
            "requests": {
                ep: {str(s): n for s, n in sorted(v.items())}
                for ep, v in sorted(self.requests.items())
            },
            "served_429": self.served_429,
            "rate_limit_events": list(self.events_429),
            "requests_during_retry_after": sum(self.during_retry_after.values()),
            "requests_during_retry_after_by_client": dict(self.during_retry_after),
            "window_s": self.window_s,
            "max_requests_in_window": self.arrivals.peak,
            "max_admitted_in_window": self.admitted.peak,
            "faults_injected": dict(self.faults),
            "faults_total": sum(self.faults.values()),
            "items_requests": self.items_log,
        }
