"""`tunegraph demo`: the main job end to end, for `make demo`."""

from __future__ import annotations

import contextlib
import shutil
import sys
from pathlib import Path

import click

from tunegraph.cli.common import local_paths, neo4j_options
from tunegraph.cli.errors import cli_errors
from tunegraph.crawler import ApiSettings, parse_playlist_ref
from tunegraph.crawler.progress import default_reporter
from tunegraph.crawler.settings import DEFAULT_API_URL, DEFAULT_TOKEN_URL
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.simulator.world import WorldConfig


@click.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out/demo"),
    show_default=True,
    help="Folder for the export, the model and the pictures (nothing else may be in it).",
)
@click.option(
    "--workers", type=click.IntRange(1), default=16, show_default=True,
    help="Concurrent crawl workers (they share one rate limiter).",
)  # fmt: skip
@click.option(
    "--max-playlists", type=click.IntRange(1), default=1500, show_default=True,
    help="Playlists the crawl visits, nearest the seed first.",
)  # fmt: skip
@click.option(
    "--max-depth", type=click.IntRange(0), default=4, show_default=True,
    help="Breadth-first levels below the seed playlist.",
)  # fmt: skip
@click.option(
    "--epochs", type=click.IntRange(1), default=10, show_default=True,
    help="Two-tower training epochs (the best on validation is kept).",
)  # fmt: skip
@click.option(
    "--world-playlists",
    type=click.IntRange(50),
    default=3000,
    show_default=True,
    help="Size of the simulator's generated world (playlists; other sizes follow).",
)
@click.option(
    "--seed-playlist",
    "seeds",
    multiple=True,
    metavar="ID_OR_URL",
    help="Seed(s) for the real API; the simulator picks its own by default.",
)
@click.option(
    "--client-id",
    envvar="SPOTIFY_CLIENT_ID",
    default=None,
    help="[env SPOTIFY_CLIENT_ID] with the secret: crawl the real Spotify Web API.",
)
@click.option(
    "--client-secret",
    envvar="SPOTIFY_CLIENT_SECRET",
    default=None,
    help="[env SPOTIFY_CLIENT_SECRET]",
)
@click.option(
    "--api-url", default=DEFAULT_API_URL, show_default=True,
    help="Spotify Web API, used when SPOTIFY_CLIENT_ID and _SECRET are set.",
)  # fmt: skip
@click.option(
    "--token-url", default=DEFAULT_TOKEN_URL, show_default=True,
    help="Spotify's token endpoint, with --api-url.",
)  # fmt: skip
@neo4j_options
@cli_errors
def demo_cmd(
    out_dir: Path, workers: int, max_playlists: int, max_depth: int, epochs: int,
    world_playlists: int, seeds: tuple[str, ...], client_id: str | None,
    client_secret: str | None, api_url: str, token_url: str, neo4j: Neo4jSettings,
) -> None:  # fmt: skip
    """Crawl (the simulator, or Spotify with credentials) → Neo4j → export → train → recommend.

    Starts a local Neo4j if none answers, leaves it running, and reuses what an earlier
    run left (the crawl resumes; an unchanged graph keeps its model).

    \b
    Example:
      tunegraph demo --out out/demo
      SPOTIFY_CLIENT_ID=… SPOTIFY_CLIENT_SECRET=… tunegraph demo --seed-playlist URL
    """
    from tunegraph.cli.crawl_cmd import crawl_with_interrupts
    from tunegraph.demo import DemoSettings, run_demo

    seed_ids = tuple(parse_playlist_ref(seed) for seed in seeds)
    spotify = None
    if client_id and client_secret:
        if not seed_ids:
            raise click.ClickException(
                "with Spotify credentials, give a --seed-playlist (a playlist your app may read)"
            )
        spotify = ApiSettings(api_url=api_url, token_url=token_url, client_id=client_id,
                              client_secret=client_secret)  # fmt: skip
    settings = DemoSettings(
        out_dir=out_dir,
        neo4j=neo4j,
        neo4j_paths=local_paths(),
        spotify=spotify,
        seeds=seed_ids,
        world=_world_of_size(world_playlists),
        workers=workers,
        max_depth=max_depth,
        max_playlists=max_playlists,
        epochs=epochs,
    )
    result = run_demo(
        settings, say=click.echo, reporter=default_reporter(), crawl_runner=crawl_with_interrupts
    )
    _print_where_to_look(result.out_dir, result.seed_playlist, settings.neo4j)


def _world_of_size(playlists: int) -> WorldConfig:
    """The simulator's generated world: users, artists and tracks in step with playlists."""
    scale = playlists / 1000
    return WorldConfig(
        playlists=playlists,
        users=int(200 * scale),
        artists=int(400 * scale),
        tracks=int(4000 * scale),
    )


def _activate_hint() -> str:
    """How to put ``tunegraph`` on the PATH, where this shell's PATH lacks it (``make demo``
    runs it from .venv without activating it): the first command typed must not fail."""
    if shutil.which("tunegraph"):
        return ""
    activate = Path(sys.executable).parent / "activate"
    with contextlib.suppress(ValueError):
        activate = activate.relative_to(Path.cwd())
    return f"Put tunegraph on your PATH first:  . {activate}\n"


def _print_where_to_look(out_dir: Path, seed_playlist: str, neo4j: Neo4jSettings) -> None:
    click.echo(
        f"\nDone. Pictures, export, model and evaluation are in {out_dir}/\n"
        + _activate_hint()
        + f"Neo4j is still running at {neo4j.uri} (user {neo4j.user}). Look at "
        "the graph:\n"
        '  tunegraph query "MATCH (p:Playlist) RETURN p.crawl_state AS state, count(*) AS n"\n'
        '  tunegraph query "MATCH (a:Artist)-[f:FOUND]->(p:Playlist) RETURN a.name, p.name '
        'LIMIT 10"\n'
        f"  tunegraph recommend --model {out_dir}/model --playlist {seed_playlist}\n"
        "Stop Neo4j with: make neo4j-stop  (or tunegraph neo4j stop)"
    )
