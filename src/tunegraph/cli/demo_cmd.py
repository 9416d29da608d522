"""`tunegraph demo`: the main job end to end, for `make demo`."""

from __future__ import annotations

from pathlib import Path

import click

from tunegraph.cli.common import local_paths, neo4j_options, neo4j_settings
from tunegraph.crawler import ApiSettings, CrawlerError, parse_playlist_ref
from tunegraph.crawler.progress import default_reporter
from tunegraph.crawler.settings import DEFAULT_API_URL, DEFAULT_TOKEN_URL
from tunegraph.graphstore.errors import GraphStoreError
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
@click.option("--workers", type=click.IntRange(1), default=16, show_default=True)
@click.option("--max-playlists", type=click.IntRange(1), default=1500, show_default=True)
@click.option("--max-depth", type=click.IntRange(0), default=4, show_default=True)
@click.option("--epochs", type=click.IntRange(1), default=10, show_default=True)
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
@click.option("--api-url", default=DEFAULT_API_URL, show_default=True)
@click.option("--token-url", default=DEFAULT_TOKEN_URL, show_default=True)
@neo4j_options
def demo_cmd(
    out_dir: Path, workers: int, max_playlists: int, max_depth: int, epochs: int,
    world_playlists: int, seeds: tuple[str, ...], client_id: str | None,
    client_secret: str | None, api_url: str, token_url: str,
    uri: str, user: str, password: str | None, database: str | None,
) -> None:  # fmt: skip
    """Crawl (the simulator, or Spotify with credentials) → Neo4j → export → train → recommend.

    Starts a local Neo4j if none answers, leaves it running, and reuses what an earlier
    run left (the crawl resumes; an unchanged graph keeps its model).

    \b
    Example:
      tunegraph demo --out out/demo
      SPOTIFY_CLIENT_ID=… SPOTIFY_CLIENT_SECRET=… tunegraph demo --seed-playlist URL
    """
    from tunegraph.demo import DemoSettings, run_demo
    from tunegraph.model.errors import ModelError
    from tunegraph.outputs import OutputError

    spotify = None
    parsed: tuple[str, ...] = ()
    try:
        parsed = tuple(parse_playlist_ref(seed) for seed in seeds)
    except CrawlerError as exc:
        raise click.ClickException(str(exc)) from None
    if client_id and client_secret:
        if not parsed:
            raise click.ClickException(
                "with Spotify credentials, give a --seed-playlist (a playlist your app may read)"
            )
        spotify = ApiSettings(api_url=api_url, token_url=token_url, client_id=client_id,
                              client_secret=client_secret)  # fmt: skip
    scale = world_playlists / 1000
    settings = DemoSettings(
        out_dir=out_dir,
        neo4j=neo4j_settings(uri, user, password, database),
        neo4j_paths=local_paths(),
        spotify=spotify,
        seeds=parsed,
        world=WorldConfig(
            playlists=world_playlists,
            users=int(200 * scale),
            artists=int(400 * scale),
            tracks=int(4000 * scale),
        ),
        workers=workers,
        max_depth=max_depth,
        max_playlists=max_playlists,
        epochs=epochs,
    )
    try:
        result = run_demo(settings, say=click.echo, reporter=default_reporter())
    except (GraphStoreError, CrawlerError, ModelError, OutputError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"\nDone. Pictures, export, model and evaluation are in {result.out_dir}/\n"
        f"Neo4j is still running at {settings.neo4j.uri} (user {settings.neo4j.user}). Look at "
        "the graph:\n"
        '  tunegraph query "MATCH (p:Playlist) RETURN p.crawl_state AS state, count(*) AS n"\n'
        '  tunegraph query "MATCH (a:Artist)-[f:FOUND]->(p:Playlist) RETURN a.name, p.name '
        'LIMIT 10"\n'
        f"  tunegraph recommend --model {result.out_dir}/model --playlist {result.seed_playlist}\n"
        "Stop Neo4j with: make neo4j-stop  (or tunegraph neo4j stop)"
    )
