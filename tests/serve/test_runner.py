"""`tunegraph serve` as a process: ready, SIGHUP reloads, SIGTERM drains and stops."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from typing import Any

import pytest
from click.testing import CliRunner

from tunegraph.cli.main import cli
from tunegraph.testing.ports import free_port

pytestmark = pytest.mark.tensorflow


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as answer:
        return json.loads(answer.read())


def test_serve_reloads_on_sighup_and_stops_on_sigterm(trained) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    code = "import sys; from tunegraph.cli.main import main; sys.argv[0] = 'tunegraph'; main()"
    args = ["serve", "--model", str(trained.model_dir), "--port", str(port)]
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stderr=subprocess.PIPE, text=True, env=os.environ
    )
    try:
        assert proc.stderr is not None
        for line in proc.stderr:  # the process says when it listens
            if line.startswith("serving "):
                break
        pid = next(iter(trained.world.playlists))
        found = get(f"{base}/v1/playlists/{pid}/recommendations?k=3")["recommendations"]
        assert [r["rank"] for r in found] == [1, 2, 3]
        assert get(f"{base}/healthz")["reloads"] == 0
        proc.send_signal(signal.SIGHUP)
        while get(f"{base}/healthz")["reloads"] == 0:
            time.sleep(0.2)  # polling an outcome, not timing it
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_serve_refuses_a_public_address_without_a_token(trained) -> None:
    result = CliRunner().invoke(
        cli, ["serve", "--model", str(trained.model_dir), "--host", "0.0.0.0"], env={}
    )
    assert result.exit_code == 1
    assert "token" in result.output and "Traceback" not in result.output
