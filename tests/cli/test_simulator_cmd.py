"""`tunegraph simulator serve`: help, one-line errors, and a real foreground run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request

import pytest
from click.testing import CliRunner

from support.cli_checks import assert_one_line_error
from tunegraph.cli.main import cli


def test_help_shows_an_example():
    result = CliRunner().invoke(cli, ["simulator", "serve", "--help"])
    assert result.exit_code == 0
    assert "tunegraph simulator serve --seed 7" in result.output
    assert "--faults" in result.output and "--latency-ms" in result.output


def test_user_errors_end_in_one_line(tmp_path):
    runner = CliRunner()
    cases = [
        (["--world", f"mpd:{tmp_path / 'missing'}"], "no such file or folder"),
        (["--world", "mpd:"], "needs a file or folder"),
        (["--world", "spotify"], "unknown world"),
        (["--faults", "1.5"], "fault rate must be between 0 and 1"),
        (["--fault-kinds", "500,teapot"], "unknown fault kind 'teapot'"),
        (["--playlists", "0"], "at least 1 of playlists"),
        (["--mess", "nulls"], "unknown mess kind 'nulls'"),
    ]
    for args, message in cases:
        result = runner.invoke(cli, ["simulator", "serve", *args])
        assert_one_line_error(result, message, exit_code=None)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize(
    ("stop", "started_in_background"),
    [(signal.SIGINT, False), (signal.SIGINT, True), (signal.SIGTERM, False)],
    ids=["ctrl-c", "ctrl-c-after-a-shell-ignored-it", "sigterm"],
)
def test_serve_prints_where_and_how_then_stops_on_ctrl_c(stop, started_in_background):
    """A shell that starts a command with `&` (a script, a CI job) leaves SIGINT ignored:
    the simulator stopped on it only where Python's default handler was left in place."""
    code = "from tunegraph.cli.main import cli; cli()"
    args = ["simulator", "serve", "--port", "0", "--playlists", "30", "--tracks", "200",
            "--artists", "20", "--users", "8", "--seeds", "3"]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=_ignore_sigint if started_in_background else None,
    )
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        text = "".join(lines)
        base = next(line.split()[-1] for line in lines if "base URL" in line)
        assert "tunegraph-demo-secret" in text
        seeds = next(line for line in lines if "seed playlists" in line).split(":", 1)[1].split()
        assert len(seeds) == 3
        with urllib.request.urlopen(f"{base}/_simulator/seeds?n=3", timeout=5) as resp:
            assert json.load(resp)["playlist_ids"] == seeds
    finally:
        proc.send_signal(stop)
        _, err = proc.communicate(timeout=60)  # a loaded machine is slow to exit, not stuck
    assert proc.returncode == 0
    assert "Traceback" not in err
