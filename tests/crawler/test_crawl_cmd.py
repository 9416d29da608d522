"""`tunegraph crawl` and `save_playlist`: bad input gives one clear line, never a traceback."""

from __future__ import annotations

import asyncio
import json

import pytest
from click.testing import CliRunner

from support.neo4j_fixtures import free_port
from support.simulator_fixtures import CLIENT_ID, CLIENT_SECRET
from tunegraph.cli.main import cli
from tunegraph.crawler import ApiSettings, CredentialsMissing, InvalidSeed, save_playlist
from tunegraph.crawler.ids import parse_playlist_ref

SEED = "37i9dQZF1DXcBWIGoYBM5M"
CREDS = {
    "SPOTIFY_CLIENT_ID": CLIENT_ID,
    "SPOTIFY_CLIENT_SECRET": CLIENT_SECRET,
    "SPOTIFY_ACCESS_TOKEN": None,
}


def _run(args: list[str], env: dict[str, str | None]):
    return CliRunner().invoke(cli, ["crawl", *args], env=env, catch_exceptions=False)


def _one_line_error(result, *needles: str) -> None:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize(
    "text",
    [
        SEED,
        f"spotify:playlist:{SEED}",
        f"https://open.spotify.com/playlist/{SEED}?si=abc",
        f"https://open.spotify.com/intl-de/playlist/{SEED}",
    ],
)
def test_seed_forms(text):
    assert parse_playlist_ref(text) == SEED


@pytest.mark.parametrize(
    "text", ["abc", "https://example.com/playlist/" + SEED, f"spotify:track:{SEED}", ""]
)
def test_bad_seeds_raise(text):
    with pytest.raises(InvalidSeed):
        parse_playlist_ref(text)


def test_invalid_seed_is_one_line():
    result = _run(["--seed-playlist", "https://open.spotify.com/album/xyz"], CREDS)
    _one_line_error(result, "invalid seed playlist")


def test_missing_credentials_is_one_line():
    env = dict.fromkeys(CREDS)
    result = _run(["--seed-playlist", SEED], env)
    _one_line_error(result, "SPOTIFY_CLIENT_ID")


def test_neo4j_down_is_one_line(spotify_simulator):
    port = free_port()
    args = [
        "--seed-playlist",
        SEED,
        "--uri",
        f"bolt://127.0.0.1:{port}",
        "--password",
        "x" * 8,
        "--api-url",
        spotify_simulator.api_url,
        "--token-url",
        spotify_simulator.token_url,
    ]
    _one_line_error(_run(args, CREDS), "cannot reach Neo4j")


def test_unreachable_api_is_one_line(empty_graph, spotify_simulator):
    dead = f"http://127.0.0.1:{free_port()}"
    neo = ["--uri", empty_graph.uri, "--password", empty_graph.password, "--quiet"]
    result = _run(
        [
            "--seed-playlist",
            SEED,
            "--api-url",
            f"{dead}/v1",
            "--token-url",
            f"{dead}/api/token",
            *neo,
        ],
        CREDS,
    )
    _one_line_error(result, "cannot reach", "--token-url")
    result = _run(
        [
            "--seed-playlist",
            SEED,
            "--api-url",
            f"{dead}/v1",
            "--token-url",
            spotify_simulator.token_url,
            *neo,
        ],
        CREDS,
    )
    _one_line_error(result, "cannot reach the Spotify API", "--api-url")


def test_wrong_secret_is_one_line_without_the_secret(empty_graph, spotify_simulator):
    secret = "not-the-secret-5f2e9c"
    env = {**CREDS, "SPOTIFY_CLIENT_SECRET": secret}
    result = _run(
        [
            "--seed-playlist",
            SEED,
            "--api-url",
            spotify_simulator.api_url,
            "--token-url",
            spotify_simulator.token_url,
            "--uri",
            empty_graph.uri,
            "--password",
            empty_graph.password,
        ],
        env,
    )
    _one_line_error(result, "refused the client credentials")
    assert secret not in result.output


def test_crawl_prints_a_json_summary_without_secrets(empty_graph, spotify_simulator):
    seed = spotify_simulator.world.seed_playlist_ids(1)[0]
    result = CliRunner().invoke(
        cli,
        [
            "crawl",
            "--seed-playlist",
            seed,
            "--api-url",
            spotify_simulator.api_url,
            "--token-url",
            spotify_simulator.token_url,
            "--uri",
            empty_graph.uri,
            "--password",
            empty_graph.password,
            "--max-playlists",
            "3",
            "--json",
        ],
        env=CREDS,
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["status"] == "finished" and summary["playlists_done"] == 3, summary
    assert CLIENT_SECRET not in result.output
    assert "world: extended" in result.stderr


def test_save_playlist_creates_it_with_every_track(spotify_simulator):
    sim = spotify_simulator
    user = next(iter(sim.world.users))
    tracks = list(sim.world.tracks)[:130]
    api = ApiSettings(
        api_url=sim.api_url, token_url=sim.token_url, access_token=sim.token(user_id=user)
    )
    saved = asyncio.run(save_playlist(api, "me", "tunegraph picks", tracks))
    created = sim.state.created[saved.id]
    assert created.owner_id == user
    assert created.name == "tunegraph picks"
    assert list(created.track_ids) == tracks  # 100 + 30, in order
    assert saved.url.endswith(saved.id)
    assert saved.tracks == 130


def test_save_playlist_needs_a_user_token(spotify_simulator):
    api = ApiSettings(
        api_url=spotify_simulator.api_url,
        token_url=spotify_simulator.token_url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    with pytest.raises(CredentialsMissing):
        asyncio.run(save_playlist(api, "me", "x", ["4uLU6hMCjMI75M1A2tKUQC"]))
