"""No secret in what `crawl` prints, even from a server that echoes the request back."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from tunegraph.cli.main import cli
from tunegraph.crawler.errors import API_MESSAGE_CHARS, ApiError

TOKEN = "user-token-7c1d0e9f4b"


class EchoHeaders(BaseHTTPRequestHandler):
    """Answers every request with 418 and the request's headers in the body."""

    def do_GET(self) -> None:
        headers = "".join(f"{name}: {value}\r\n" for name, value in self.headers.items())
        if self.path.startswith("/json/"):
            body = json.dumps({"error": {"status": 418, "message": headers}}).encode()
        else:
            body = ("you sent:\r\n" + headers).encode()
        self.send_response(418)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def echo_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHeaders)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("body", ["json", "plain"])
def test_an_echoed_token_never_reaches_the_output(empty_graph, echo_url, body):
    args = ["crawl", "--seed-playlist", "37i9dQZF1DXcBWIGoYBM5M",
            "--api-url", f"{echo_url}/{body}/v1", "--token-url", f"{echo_url}/token",
            "--uri", empty_graph.uri, "--password", empty_graph.password]  # fmt: skip
    env = {"SPOTIFY_ACCESS_TOKEN": TOKEN, "SPOTIFY_CLIENT_ID": None, "SPOTIFY_CLIENT_SECRET": None}
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: HTTP 418"), result.output
    assert "Authorization: ***" in lines[0]
    assert TOKEN not in result.output and "Bearer" not in result.output


def test_an_api_error_keeps_a_short_message_without_credentials():
    body = "Authorization: Bearer abcdef0123456789\n" + "x" * 5000
    error = ApiError(400, body, "https://api.example/v1/playlists/x")
    assert "abcdef0123456789" not in str(error)
    assert len(error.message) <= API_MESSAGE_CHARS and "\n" not in error.message
