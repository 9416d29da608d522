"""`tunegraph crawl` and `save_playlist`: bad input gives one clear line, never a traceback."""

from __future__ import annotations

import asyncio
import json

import pytest
from click.testing import CliRunner

from support.cli_checks import assert_one_line_error
from support.neo4j_fixtures import free_port
from support.simulator_fixtures import CLIENT_ID, CLIENT_SECRET
from tunegraph.cli.main import cli
from tunegraph.crawler import ApiSettings, CredentialsMissing, InvalidSeed, save_playlist
from tunegraph.crawler.ids import parse_playlist_ref
from tunegraph.graphstore.settings import Neo4jSettings

SEED = "37i9dQZF1DXcBWIGoYBM5M"
CREDS = {
    "SPOTIFY_CLIENT_ID": CLIENT_ID,
    "SPOTIFY_CLIENT_SECRET": CLIENT_SECRET,
    "SPOTIFY_ACCESS_TOKEN": None,
}


def _run(args: list[str], env: dict[str, str | None]):
    return CliRunner().invoke(cli, ["crawl", *args], env=env, catch_exceptions=False)


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


def _args(seed: str, api_url: str, token_url: str, graph: Neo4jSettings, *extra: str) -> list[str]:
    """The options of a crawl of ``seed`` from that API into the ``graph`` Neo4j."""
    return [
        "--seed-playlist", seed, "--api-url", api_url, "--token-url", token_url,
        "--uri", graph.uri, "--password", graph.password, *extra,
    ]  # fmt: skip


def test_invalid_seed_is_one_line():
    result = _run(["--seed-playlist", "https://open.spotify.com/album/xyz"], CREDS)
    assert_one_line_error(result, "invalid seed playlist")


def test_missing_credentials_is_one_line():
    env = dict.fromkeys(CREDS)
    result = _run(["--seed-playlist", SEED], env)
    assert_one_line_error(result, "SPOTIFY_CLIENT_ID")


def test_neo4j_down_is_one_line(spotify_simulator):
    nowhere = Neo4jSettings(uri=f"bolt://127.0.0.1:{free_port()}", password="x" * 8)
    sim = spotify_simulator
    result = _run(_args(SEED, sim.api_url, sim.token_url, nowhere), CREDS)
    assert_one_line_error(result, "cannot reach Neo4j")


def test_unreachable_api_is_one_line(empty_graph, spotify_simulator):
    dead = f"http://127.0.0.1:{free_port()}"
    result = _run(_args(SEED, f"{dead}/v1", f"{dead}/api/token", empty_graph, "--quiet"), CREDS)
    assert_one_line_error(result, "cannot reach", "--token-url")
    token_url = spotify_simulator.token_url
    result = _run(_args(SEED, f"{dead}/v1", token_url, empty_graph, "--quiet"), CREDS)
    assert_one_line_error(result, "cannot reach the Spotify API", "--api-url")


def test_wrong_secret_is_one_line_without_the_secret(empty_graph, spotify_simulator):
    secret = "not-the-secret-5f2e9c"
    env = {**CREDS, "SPOTIFY_CLIENT_SECRET": secret}
    sim = spotify_simulator
    result = _run(_args(SEED, sim.api_url, sim.token_url, empty_graph), env)
    assert_one_line_error(result, "refused the client credentials")
    assert secret not in result.output


def test_crawl_prints_a_json_summary_without_secrets(empty_graph, spotify_simulator):
    sim = spotify_simulator
    seed = sim.world.seed_playlist_ids(1)[0]
    args = _args(seed, sim.api_url, sim.token_url, empty_graph, "--max-playlists", "3", "--json")
    result = _run(args, CREDS)
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
