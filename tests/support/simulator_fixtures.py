"""The Spotify simulator for tests: one shared server per session, and a factory for more.

``spotify_simulator`` (session) serves ``SESSION_WORLD`` in extended mode with the
default mess, no rate limit and no faults, on a background thread with its own
event loop, so sync tests, async tests and subprocesses can all reach it over
loopback. ``simulator_factory(**config)`` starts a private server for tests that
need another configuration (faults, development mode, tight limits, a manual
clock); each is stopped at the end of its test. ``SimHandle`` wraps a running
server with a tiny blocking HTTP client (stdlib only), credentials and stats.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tunegraph.simulator.clock import ManualClock
from tunegraph.simulator.runner import SimulatorThread
from tunegraph.simulator.server import Simulator, SimulatorConfig
from tunegraph.simulator.world import World, WorldConfig, generate_world

SESSION_WORLD = WorldConfig(seed=7, playlists=300, users=60, artists=150, tracks=2000, genres=20)
SMALL_WORLD = WorldConfig(seed=11, playlists=60, users=12, artists=40, tracks=400, genres=8)
CLIENT_ID = "tunegraph-demo"
CLIENT_SECRET = "tunegraph-demo-secret"

_worlds: dict[WorldConfig, World] = {}


def world_for(config: WorldConfig) -> World:
    """Worlds are immutable, so tests share one per configuration."""
    if config not in _worlds:
        _worlds[config] = generate_world(config)
    return _worlds[config]


@dataclass
class HttpResult:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class SimHandle:
    """A running simulator plus a blocking client for it."""

    thread: SimulatorThread
    world: World
    config: SimulatorConfig
    client_tag: str | None = None
    _tokens: dict[str | None, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return self.thread.base_url

    @property
    def token_url(self) -> str:
        return self.thread.running.token_url

    @property
    def api_url(self) -> str:
        return self.thread.running.api_url

    @property
    def state(self) -> Simulator:
        return self.thread.simulator

    def request(
        self,
        method: str,
        url: str,
        *,
        token: str | None = None,
        params: dict[str, Any] | None = None,
        form: dict[str, str] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10.0,
    ) -> HttpResult:
        """One request; ``url`` may be a path under the base URL. Non-2xx answers are returned."""
        if url.startswith("/"):
            url = self.base_url + url
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        if self.client_tag and "X-Client-Tag" not in all_headers:
            all_headers["X-Client-Tag"] = self.client_tag
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            data = json.dumps(json_body).encode()
            all_headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return HttpResult(resp.status, dict(resp.headers), resp.read())
        except urllib.error.HTTPError as err:
            return HttpResult(err.code, dict(err.headers), err.read())

    def grant(
        self,
        form: dict[str, str] | None = None,
        client: tuple[str, str] = (CLIENT_ID, CLIENT_SECRET),
    ) -> HttpResult:
        """POST /api/token with ``client``'s id and secret as HTTP Basic; refusals are returned."""
        basic = base64.b64encode(":".join(client).encode()).decode()
        return self.request(
            "POST",
            "/api/token",
            form=form or {"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {basic}"},
        )

    def token(self, user_id: str | None = None, fresh: bool = False) -> str:
        """A client-credentials token, or a user token for ``user_id`` (test_user grant)."""
        if fresh or user_id not in self._tokens:
            form = None if user_id is None else {"grant_type": "test_user", "user_id": user_id}
            result = self.grant(form)
            assert result.status == 200, result.body
            self._tokens[user_id] = result.json()["access_token"]
        return self._tokens[user_id]

    def get(self, path: str, token: str | None = None, **params: Any) -> HttpResult:
        """GET an API path (``/playlists/…`` is under ``/v1``) with a client token by default."""
        url = path if path.startswith("http") else (path if path.startswith("/_") else f"/v1{path}")
        return self.request("GET", url, token=token or self.token(), params=params or None)

    def stats(self) -> dict[str, Any]:
        return self.request("GET", "/_simulator/stats").json()

    def reset_stats(self) -> None:
        assert self.request("DELETE", "/_simulator/stats").status == 204

    def walk(self, first_url: str, key: str | None = None, token: str | None = None) -> list[Any]:
        """Every item of a paged resource, following ``next`` to the end."""
        items: list[Any] = []
        url: str | None = first_url
        while url:
            result = self.request("GET", url, token=token or self.token())
            assert result.status == 200, (url, result.status, result.body[:200])
            page = result.json()[key] if key else result.json()
            items.extend(page["items"])
            url = page["next"]
        return items


def start_simulator(world: World, config: SimulatorConfig) -> SimHandle:
    return SimHandle(SimulatorThread(world, config).start(), world, config)


@pytest.fixture(scope="session")
def spotify_simulator() -> Iterator[SimHandle]:
    """One simulator for the session: extended mode, default mess, no limits, no faults."""
    handle = start_simulator(world_for(SESSION_WORLD), SimulatorConfig())
    yield handle
    handle.thread.stop()


@pytest.fixture
def manual_clock() -> ManualClock:
    """A clock a test advances by hand; pass as ``clock=`` to ``simulator_factory``."""
    return ManualClock()


@pytest.fixture
def simulator_factory() -> Iterator[Callable[..., SimHandle]]:
    """``make(world=None, **SimulatorConfig fields) -> SimHandle``; stopped after the test."""
    started: list[SimHandle] = []

    def make(world: World | WorldConfig | None = None, **config: Any) -> SimHandle:
        if world is None:
            world = world_for(SMALL_WORLD)
        elif isinstance(world, WorldConfig):
            world = world_for(world)
        handle = start_simulator(world, SimulatorConfig(**config))
        started.append(handle)
        return handle

    yield make
    for handle in started:
        handle.thread.stop()
