"""The simulator's HTTP server: configuration, per-request guard, app and runner.

Every API request passes one guard, in the order Spotify's edge applies them:
fixed latency, fault injection, bearer token, daily quota and rolling rate
window, then the handler. Handlers live in ``api`` (reads), ``writes`` and
``admin``; state shared between them lives on ``Simulator``.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web

from tunegraph.simulator.auth import AuthError, Token, TokenStore
from tunegraph.simulator.catalog import Catalog
from tunegraph.simulator.clock import Clock, system_clock
from tunegraph.simulator.entities import Playlist, World
from tunegraph.simulator.errors import JSON, api_error
from tunegraph.simulator.faults import FAULT_KINDS, MALFORMED_BODY, FaultInjector
from tunegraph.simulator.ids import hashed_id, is_editorial, is_spotify_id, stable_unit
from tunegraph.simulator.limits import RateLimiter
from tunegraph.simulator.render import BodyCache, Renderer
from tunegraph.simulator.stats import Stats

MODES = ("extended", "development")
# what development-mode apps lost in February 2026 (Spotify's "Web API Dev Mode Changes"):
# other users' profiles and playlists, the legacy items path, the several-ids lookups
DEVELOPMENT_REMOVED = frozenset({
    ("GET", "/v1/users/{id}"),
    ("GET", "/v1/users/{id}/playlists"),
    ("GET", "/v1/playlists/{id}/tracks"),
    ("POST", "/v1/playlists/{id}/tracks"),
    ("GET", "/v1/tracks"),
    ("GET", "/v1/artists"),
    ("GET", "/v1/albums"),
})  # fmt: skip
MESS_KINDS: frozenset[str] = frozenset({"null", "local", "episode", "editorial"})
Handler = Callable[["Simulator", web.Request, Token, str], Awaitable[web.StreamResponse]]
SIMULATOR_KEY = web.AppKey("simulator", object)


@dataclass
class SimulatorConfig:
    """How the simulator behaves; ``None`` limits mean unlimited."""

    mode: str = "extended"
    client_id: str = "tunegraph-demo"
    client_secret: str = "tunegraph-demo-secret"
    token_ttl: float = 3600.0
    rate_limit: int | None = None
    rate_window_s: float = 30.0
    daily_quota: int | None = None
    faults: float = 0.0
    fault_seed: int = 0
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    fault_latency_s: float = 0.5
    stall_s: float = 30.0
    latency_ms: float = 0.0
    mess: frozenset[str] = MESS_KINDS
    host: str = "127.0.0.1"
    port: int = 0
    clock: Clock = system_clock
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep)

    def validate(self) -> None:
        """Raise ValueError with one clear line for a configuration that cannot run."""
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if self.token_ttl <= 0:
            raise ValueError(f"token TTL must be positive, got {self.token_ttl}")
        if self.rate_limit is not None and self.rate_limit < 1:
            raise ValueError(
                f"rate limit must be at least 1 request per window, got {self.rate_limit}"
            )
        if self.rate_window_s <= 0:
            raise ValueError(f"rate window must be positive, got {self.rate_window_s}")
        if self.daily_quota is not None and self.daily_quota < 1:
            raise ValueError(f"daily quota must be at least 1, got {self.daily_quota}")
        if not 0.0 <= self.faults <= 1.0:
            raise ValueError(f"fault rate must be between 0 and 1, got {self.faults}")
        if self.latency_ms < 0:
            raise ValueError(f"latency must not be negative, got {self.latency_ms} ms")
        unknown = set(self.mess) - MESS_KINDS
        if unknown:
            choices = ", ".join(sorted(MESS_KINDS))
            raise ValueError(f"unknown mess kind {sorted(unknown)[0]!r}; choose from {choices}")

    @property
    def extended(self) -> bool:
        return self.mode == "extended"


class Simulator:
    """Shared state of one running simulator: world, tokens, limits, faults, stats."""

    def __init__(self, world: World, config: SimulatorConfig) -> None:
        config.validate()
        self.world = world
        self.config = config
        self.clock = config.clock
        self.tokens = TokenStore(
            config.client_id, config.client_secret, config.token_ttl, config.clock
        )
        self.limiter = RateLimiter(
            config.rate_limit, config.rate_window_s, config.daily_quota, config.clock()
        )
        self.faults = FaultInjector(config.faults, config.fault_seed, config.fault_kinds)
        self.stats = Stats(config.clock, config.rate_window_s)
        self.renderer = Renderer(world, config.extended, frozenset(config.mess))
        self.catalog = Catalog(world, self.renderer)
        self.created: dict[str, Playlist] = {}
        self._run = secrets.token_hex(8)
        self._search: dict[str, list[str | None]] = {}
        self._latency_s = config.latency_ms / 1000.0
        self._bodies = BodyCache()

    # -- lookups shared by handlers -------------------------------------------------

    def playlist(self, playlist_id: str, token: Token) -> Playlist | web.Response:
        """The playlist, or the error Spotify answers for that id and token."""
        if is_editorial(playlist_id):
            return api_error(404, "Resource not found")
        if not is_spotify_id(playlist_id):
            return api_error(400, "Invalid base62 id")
        playlist = self.world.playlists.get(playlist_id) or self.created.get(playlist_id)
        if playlist is None or (not playlist.public and token.user_id != playlist.owner_id):
            return api_error(404, "Resource not found")
        return playlist

    def can_read_items(self, playlist: Playlist, token: Token) -> bool:
        """Extended apps read public playlists; development apps only their user's own."""
        return self.config.extended or token.user_id == playlist.owner_id

    def search_results(self, phrase: str) -> list[str | None]:
        """The served result list: the world's matches with null and editorial entries mixed in."""
        cached = self._search.get(phrase)
        if cached is not None:
            return cached
        world, mess = self.world, self.config.mess
        nulls = world.search_null_rate if "null" in mess else 0.0
        editorial = world.editorial_rate if "editorial" in mess and world.editorial_ids else 0.0
        out: list[str | None] = []
        for i, playlist_id in enumerate(world.search_playlists(phrase)):
            if nulls and stable_unit("search-null", world.seed, phrase, i) < nulls:
                out.append(None)
            if editorial and stable_unit("editorial", world.seed, phrase, i) < editorial:
                pick = int(
                    stable_unit("editorial-pick", world.seed, phrase, i) * len(world.editorial_ids)
                )
                out.append(world.editorial_ids[pick])
            out.append(playlist_id)
        if len(self._search) > 20_000:
            self._search.clear()
        self._search[phrase] = out
        return out

    def cached(self, key: tuple) -> bytes | None:
        """A rendered body remembered under ``key`` (world data never changes while serving)."""
        return self._bodies.get(key)

    def remember(self, key: tuple, body: bytes) -> bytes:
        """Keep ``body`` for ``key`` (a bounded cache: it starts over when full)."""
        return self._bodies.put(key, body)

    def new_playlist_id(self) -> str:
        """Never an id of the world, nor one that another run of it created for another list."""
        return hashed_id("created", self.world.key, self._run, len(self.created))

    # -- the guard -----------------------------------------------------------------

    def api(
        self, endpoint: str, handler: Handler
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """Wrap a handler with latency, faults, auth, limits and stats."""

        async def guarded(request: web.Request) -> web.StreamResponse:
            if self._latency_s:
                await self.config.sleep(self._latency_s)
            fault = self.faults.draw()
            if fault is None:
                response = await self._serve(request, endpoint, handler)
            else:
                response = await self._fault(fault, request, endpoint, handler)
            self.stats.count(endpoint, response.status)
            return response

        return guarded

    async def _serve(
        self, request: web.Request, endpoint: str, handler: Handler
    ) -> web.StreamResponse:
        try:
            token = self.tokens.check(request.headers.get("Authorization"))
        except AuthError as exc:
            return api_error(
                exc.status, exc.message, headers={"WWW-Authenticate": 'Bearer realm="spotify"'}
            )
        client = request.headers.get("X-Client-Tag") or token.client_id
        now = self.clock()
        self.stats.arrival(client, now)
        refusal = self.limiter.admit(token.client_id, now)
        if refusal is not None:
            self.stats.refused(client, now, refusal.retry_after, refusal.reason)
            return api_error(
                429,
                refusal.message,
                refusal.reason,
                headers={"Retry-After": str(refusal.retry_after)},
            )
        self.stats.admit(now)
        return await handler(self, request, token, client)

    async def _fault(
        self, kind: str, request: web.Request, endpoint: str, handler: Handler
    ) -> web.StreamResponse:
        self.stats.fault(kind)
        if kind in ("500", "502", "503"):
            messages = {
                "500": "Internal server error",
                "502": "Bad gateway",
                "503": "Service unavailable",
            }
            return api_error(int(kind), messages[kind])
        if kind == "malformed":
            return web.Response(status=200, body=MALFORMED_BODY, content_type=JSON)
        if kind == "drop":
            self.stats.count(endpoint, 0)
            if request.transport is not None:
                request.transport.close()
            raise asyncio.CancelledError
        if kind in ("latency", "stall"):
            await self.config.sleep(
                self.config.fault_latency_s if kind == "latency" else self.config.stall_s
            )
            return await self._serve(request, endpoint, handler)
        response = await self._serve(request, endpoint, handler)  # truncated
        body = response.body if isinstance(response, web.Response) else None
        if not isinstance(body, bytes) or len(body) < 2:
            return response
        cut = web.Response(status=response.status, body=body[: len(body) // 2], content_type=JSON)
        for name in ("Retry-After", "WWW-Authenticate"):
            if name in response.headers:
                cut.headers[name] = response.headers[name]
        return cut


def build_app(world: World, config: SimulatorConfig | None = None) -> web.Application:
    """The aiohttp application serving ``world`` as ``config`` says."""
    from tunegraph.simulator import admin, api, catalog_api, writes

    sim = Simulator(world, config or SimulatorConfig())
    app = web.Application(client_max_size=1 << 20, middlewares=[spotify_errors])
    app[SIMULATOR_KEY] = sim
    add = app.router
    add.add_post("/api/token", admin.make_token_handler(sim))
    for method, path, handler in (
        ("GET", "/v1/playlists/{id}", api.get_playlist),
        ("GET", "/v1/playlists/{id}/items", api.get_items),
        ("GET", "/v1/playlists/{id}/tracks", api.get_legacy_tracks),
        ("GET", "/v1/search", api.search),
        ("GET", "/v1/artists", catalog_api.get_several_artists),
        ("GET", "/v1/artists/{id}", api.get_artist),
        ("GET", "/v1/artists/{id}/albums", catalog_api.get_artist_albums),
        ("GET", "/v1/albums", catalog_api.get_several_albums),
        ("GET", "/v1/albums/{id}", catalog_api.get_album),
        ("GET", "/v1/albums/{id}/tracks", catalog_api.get_album_tracks),
        ("GET", "/v1/tracks", catalog_api.get_several_tracks),
        ("GET", "/v1/tracks/{id}", api.get_track),
        ("GET", "/v1/audio-features", api.get_audio_features),
        ("GET", "/v1/audio-features/{id}", api.get_audio_feature),
        ("GET", "/v1/users/{id}", api.get_user),
        ("GET", "/v1/users/{id}/playlists", catalog_api.get_user_playlists),
        ("GET", "/v1/me", api.get_me),
        ("POST", "/v1/users/{id}/playlists", writes.create_playlist),
        ("POST", "/v1/playlists/{id}/items", writes.add_items),
        ("POST", "/v1/playlists/{id}/tracks", writes.add_items),
    ):
        if not sim.config.extended and (method, path) in DEVELOPMENT_REMOVED:
            handler = removed_in_development
        guarded = sim.api(f"{method} {path}", handler)
        add.add_route(method, path, guarded)
        add.add_route(method, path + "/", guarded)  # Spotify answers `/v1/tracks/?ids=` too
    admin.add_admin_routes(app, sim)
    return app


_ROUTING_MESSAGES = {404: "Service not found", 405: "Method not allowed"}


async def removed_in_development(
    sim: Simulator, request: web.Request, token: Token, client: str
) -> web.Response:
    """Spotify's answer to a development-mode app for an endpoint it lost in February 2026."""
    return api_error(403, "Forbidden")


@web.middleware
async def spotify_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Routing errors (an unknown path, a wrong method) in Spotify's JSON error body,
    as a client parses every error; the simulator's own ``/_simulator`` routes excepted."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or request.path.startswith("/_simulator"):
            raise
        message = _ROUTING_MESSAGES.get(exc.status, exc.reason)
        headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return api_error(exc.status, message, headers=headers)


def simulator_of(app: web.Application) -> Simulator:
    """The ``Simulator`` behind an app from ``build_app`` (for stats in-process)."""
    sim = app[SIMULATOR_KEY]
    assert isinstance(sim, Simulator)
    return sim


@dataclass
class RunningSimulator:
    """A started simulator: where to reach it and its live state."""

    base_url: str
    simulator: Simulator

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/api/token"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/v1"

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])


@asynccontextmanager
async def run_simulator(
    world: World, config: SimulatorConfig | None = None
) -> AsyncIterator[RunningSimulator]:
    """Serve ``world`` on ``config.host``/``config.port`` (0: a free port) until the block ends."""
    config = config or SimulatorConfig()
    app = build_app(world, config)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
    await runner.setup()
    try:
        site = web.TCPSite(runner, config.host, config.port, reuse_address=True)
        try:
            await site.start()
        except OSError as exc:  # the caller's message names the address it asked for
            where = f"cannot listen on {config.host}:{config.port}"
            raise OSError(exc.errno, f"{where}: {exc.strerror or exc}") from exc
        port = runner.addresses[0][1]
        host = config.host if config.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        yield RunningSimulator(f"http://{host}:{port}", simulator_of(app))
    finally:
        await runner.cleanup()
