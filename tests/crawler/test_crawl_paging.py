"""Hostile answers from the network: a ``next`` that loops or leaves the API, and ids that
are not Spotify ids. A stub API on loopback serves them to a real crawl into Neo4j; a
second stub on another port stands for another host and logs who came.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.crawl_helpers import run_crawl, snapshot
from tunegraph.crawler import ApiSettings, CrawlSettings
from tunegraph.crawler.client import SpotifyClient
from tunegraph.crawler.errors import ForeignUrl
from tunegraph.crawler.ids import is_spotify_id
from tunegraph.graphstore.frontier import DONE, FAILED

TOKEN = "stub-user-token-0123456789"
LOOP, FOREIGN, HOSTILE, CHILD = (c * 22 for c in "LFHC")
TRACK, OTHER_TRACK, ARTIST, ALBUM = (c * 22 for c in "TOAB")
BAD = ["../../../etc/passwd", "../../v1/me", "x" * 21, "y" * 22 + "\n"]
GIVE_UP_AFTER = 40  # the stub ends a loop that a crawl without the fix would never leave


def _track(track_id: str, artist_id: str = ARTIST, album_id: str = ALBUM) -> dict[str, Any]:
    return {
        "id": track_id,
        "name": f"song {track_id[:3]}",
        "type": "track",
        "duration_ms": 1000,
        "explicit": False,
        "artists": [{"id": artist_id, "name": "Stub Artist"}],
        "album": {"id": album_id, "name": "Stub Album", "release_date": "2020"},
    }


@dataclass
class Log:
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (url, Authorization)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, path: str, auth: str | None) -> int:
        with self.lock:
            self.requests.append((path, auth))
            return sum(1 for p, _ in self.requests if p == path)

    def paths(self) -> list[str]:
        with self.lock:
            return [p for p, _ in self.requests]


class StubApi:
    """A few playlists whose answers misbehave; everything else is 404."""

    def __init__(self, other_base: str) -> None:
        self.other_base = other_base
        self.base = ""  # set once the server listens

    def answer(self, path: str, query: dict[str, list[str]], seen: int) -> tuple[int, Any]:
        items = f"{self.base}/v1/playlists/{{}}/items"
        if path == "/v1/search":
            playlists = [{"id": bad} for bad in BAD] + [{"id": CHILD}, None]
            return 200, {"playlists": {"offset": 0, "next": None, "items": playlists}}
        if path == f"/v1/playlists/{LOOP}/items":
            if seen > GIVE_UP_AFTER:
                return 404, {"error": {"status": 404, "message": "stub gave up"}}
            offset = query.get("offset", ["0"])[0]
            back = f"{items.format(LOOP)}?limit=50&offset=0"  # page 0, its query reordered
            forward = f"{items.format(LOOP)}?offset=50&limit=50"
            track = TRACK if offset == "0" else OTHER_TRACK
            return 200, _page([{"item": _track(track)}], forward if offset == "0" else back)
        if path == f"/v1/playlists/{FOREIGN}/items":
            elsewhere = f"{self.other_base}/v1/playlists/{FOREIGN}/items?offset=50&limit=50"
            return 200, _page([{"item": _track(TRACK)}], elsewhere)
        if path == f"/v1/playlists/{HOSTILE}/items":
            return 200, _page(
                [
                    {"item": _track(BAD[0])},
                    {"item": _track(TRACK, artist_id=BAD[1], album_id=BAD[2])},
                    {"item": _track(OTHER_TRACK)},
                ],
                None,
            )
        if path == f"/v1/playlists/{CHILD}/items":
            return 200, _page([{"item": _track(OTHER_TRACK)}], None)
        pid = path.removeprefix("/v1/playlists/")
        if pid in (LOOP, FOREIGN, HOSTILE, CHILD):
            return 200, {"id": pid, "name": f"playlist {pid[:3]}", "owner": {"id": "someone"}}
        return 404, {"error": {"status": 404, "message": "Resource not found"}}


def _page(items: list[Any], next_url: str | None) -> dict[str, Any]:
    return {"offset": 0, "limit": 50, "next": next_url, "items": items}


def _serve(handle: Any) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = handle(self.path, self.headers.get("Authorization"))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@dataclass
class Stubs:
    api_base: str
    api_log: Log
    other_log: Log


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    other_log, api_log = Log(), Log()

    def other(path: str, auth: str | None) -> tuple[int, Any]:
        other_log.add(path, auth)
        return 200, _page([], None)

    other_server, other_base = _serve(other)
    api = StubApi(other_base)

    def handle(path: str, auth: str | None) -> tuple[int, Any]:
        seen = api_log.add(path, auth)
        url = urlsplit(path)
        return api.answer(url.path, parse_qs(url.query), seen)

    api_server, api.base = _serve(handle)
    try:
        yield Stubs(api.base, api_log, other_log)
    finally:
        for server in (api_server, other_server):
            server.shutdown()
            server.server_close()


def test_next_that_loops_or_leaves_the_api_fails_the_playlist_and_bad_ids_are_skipped(
    stubs, empty_graph
):
    api = ApiSettings(
        api_url=f"{stubs.api_base}/v1", access_token=TOKEN, rate_limit=10_000,
        timeout_s=5.0, max_attempts=2, backoff_base_s=0.01, backoff_cap_s=0.02,
    )  # fmt: skip
    settings = CrawlSettings(
        seeds=(LOOP, FOREIGN, HOSTILE),
        api=api,
        workers=2,
        max_depth=1,
        max_playlists=10,
        tracks_per_playlist=10,
        artists_per_playlist=2,
        search_limit=10,
        audio_features=False,
        flush_interval_s=0.05,
    )
    summary = run_crawl(settings, empty_graph)
    graph = snapshot(empty_graph)
    api_paths = stubs.api_log.paths()

    # a next back to a page already fetched: failed after page 0 and page 1, no more
    loop_pages = [p for p in api_paths if p.startswith(f"/v1/playlists/{LOOP}/items")]
    assert graph.states[LOOP] == FAILED, graph.states
    assert len(loop_pages) == 2, loop_pages
    # a next on another port: failed, and the other host never saw a request or the token
    assert graph.states[FOREIGN] == FAILED
    assert stubs.other_log.paths() == []
    assert summary.failed == 2
    # ids that are not Spotify ids: never stored, never in a URL
    assert graph.states[HOSTILE] == DONE and graph.states[CHILD] == DONE
    stored = {i for ids in graph.nodes.values() for i in ids}
    assert not any(bad in stored for bad in BAD)
    assert all(is_spotify_id(i) for i in stored - {"someone"}), stored
    assert graph.nodes["Track"] == {TRACK, OTHER_TRACK}
    assert "/v1/me" not in api_paths
    assert all(p.split("?")[0].rsplit("/", 1)[-1] != "me" for p in api_paths)
    skipped = summary.skipped
    assert skipped.get("invalid track id") == 1 and skipped.get("invalid artist id") == 1
    assert skipped.get("invalid album id") == 1
    assert skipped.get("invalid search result id") == len(BAD)
    assert all(auth == f"Bearer {TOKEN}" for _, auth in stubs.api_log.requests)


@pytest.mark.parametrize(
    "url",
    [
        "http://api.test:8080/v1/playlists/x",  # another port
        "https://api.test/v1/playlists/x",  # another scheme
        "http://evil.test/v1/playlists/x",  # another host
        "http://api.test@evil.test/v1/playlists/x",  # userinfo that looks like the host
        "//evil.test/v1/playlists/x",  # scheme-relative
        "http://api.test:notaport/v1",  # unparsable
    ],
)
def test_the_client_refuses_urls_off_the_api_origin(url):
    client = SpotifyClient(ApiSettings(api_url="http://api.test/v1", access_token=TOKEN))
    with pytest.raises(ForeignUrl):
        client.url(url)


def test_the_client_follows_urls_on_the_api_origin():
    client = SpotifyClient(ApiSettings(api_url="http://API.test/v1", access_token=TOKEN))
    assert client.url("playlists/x") == "http://API.test/v1/playlists/x"
    assert client.url("http://api.test:80/v1/x?offset=50") == "http://api.test:80/v1/x?offset=50"
