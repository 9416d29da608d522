"""`tunegraph serve`: parse options, build ServeSettings, run tunegraph.serve."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from tunegraph.cli.errors import cli_errors

TOKEN_ENV = "TUNEGRAPH_SERVE_TOKEN"


@click.command("serve")
@click.option(
    "--model",
    "model_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="A model folder written by `tunegraph train --out` (reloaded in place on SIGHUP).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="TCP port (0: any free one, printed at start).",
)
@click.option(
    "--token",
    envvar=TOKEN_ENV,
    default=None,
    help=f"Bearer token for /v1 and /admin (or {TOKEN_ENV}); required off 127.0.0.1.",
)
@click.option(
    "--max-batch",
    default=256,
    show_default=True,
    type=click.IntRange(1),
    help="Queries scored in one model call.",
)
@click.option(
    "--max-wait-ms",
    default=2.0,
    show_default=True,
    type=click.FloatRange(0),
    help="How long a lone request waits for others to score with.",
)
@cli_errors
def serve_cmd(
    model_dir: Path, host: str, port: int, token: str | None, max_batch: int, max_wait_ms: float
) -> None:
    """Serve recommendations over HTTP from a model loaded once.

    Concurrent requests are scored together. SIGHUP or POST /admin/reload loads the
    model directory again (after `tunegraph train --out` replaced it) and swaps it in
    only when whole; Ctrl-C or SIGTERM finish requests in flight and stop.
    Routes: /v1/playlists/ID/recommendations?k=, POST /v1/recommendations,
    POST /v1/recommendations/batch, /healthz, /metrics, /openapi.json.

    \b
    Example:
      tunegraph serve --model out/model --port 8000
      curl 'http://127.0.0.1:8000/v1/playlists/ID/recommendations?k=10'
    """
    from tunegraph.serve.runner import serve
    from tunegraph.serve.settings import ServeSettings

    settings = ServeSettings(
        model_dir, host, port, token, max_batch=max_batch, max_wait_ms=max_wait_ms
    )
    settings.validate()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log = logging.getLogger("tunegraph.serve")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    serve(settings, on_ready=lambda url: click.echo(f"serving {model_dir} on {url}", err=True))
