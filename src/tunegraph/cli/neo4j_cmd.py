"""`tunegraph neo4j start|stop|status`: a real Neo4j on this machine, with or without Docker."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import click

from tunegraph import neo4j_server
from tunegraph.cli.common import local_paths
from tunegraph.cli.errors import cli_errors
from tunegraph.graphstore.bolt_uri import DEFAULT_BOLT_PORT
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.schema import ensure_schema
from tunegraph.graphstore.settings import DEFAULT_PASSWORD, Neo4jSettings
from tunegraph.neo4j_server import docker_server

COMPOSE_FILE = Path("docker-compose.yml")


def _create_schema(uri: str, password: str) -> None:
    """Uniqueness constraints and indexes right at start-up (idempotent), as docs/guide.md says."""

    async def go() -> None:
        async with GraphStore(Neo4jSettings(uri=uri, user="neo4j", password=password)) as store:
            await ensure_schema(store)

    asyncio.run(go())


def _backend(choice: str) -> str:
    if choice != "auto":
        return choice
    if COMPOSE_FILE.exists() and docker_server.docker_engine_answers():
        return "docker"
    return "local"


@click.group()
def neo4j() -> None:
    """Start, stop and inspect a local Neo4j server.

    Without a Docker engine, Neo4j 5.26 runs from Maven Central's jars (fetched once into
    ~/.cache/tunegraph) behind a small Java launcher, with Bolt on 127.0.0.1. The release
    is the one the launcher's pom.xml pins; TUNEGRAPH_NEO4J_VERSION names another.

    \b
    Example:
      tunegraph neo4j start
      tunegraph neo4j start --port 7688 --data-dir /tmp/neo4j-test
      tunegraph neo4j status
      tunegraph neo4j stop
    """


@neo4j.command()
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=DEFAULT_BOLT_PORT,
    show_default=True,
    help="Bolt port on 127.0.0.1; chooses the instance.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the database lives [default: ~/.local/share/tunegraph/neo4j[-PORT]].",
)
@click.option(
    "--password",
    envvar="NEO4J_PASSWORD",
    default=DEFAULT_PASSWORD,
    show_default=True,
    help="Password for user neo4j (≥ 8 characters) [env NEO4J_PASSWORD].",
)
@click.option(
    "--heap-mb",
    type=click.IntRange(256),
    default=1024,
    show_default=True,
    help="Java heap for queries and transactions (MiB).",
)
@click.option(
    "--pagecache-mb",
    type=click.IntRange(64),
    default=512,
    show_default=True,
    help="Page cache for the graph's files (MiB); the whole store in it reads fastest.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(1),
    default=120.0,
    show_default=True,
    help="Seconds to wait for Bolt to accept connections.",
)
@click.option(
    "--backend",
    type=click.Choice(["auto", "local", "docker"]),
    default="auto",
    show_default=True,
    help="docker: `docker compose` with docker-compose.yml; "
    "local: Maven Central jars + Java 17; auto: docker where an engine answers.",
)
@cli_errors
def start(
    port: int, data_dir: Path | None, password: str, heap_mb: int, pagecache_mb: int,
    timeout: float, backend: str,
) -> None:  # fmt: skip
    """Start Neo4j (or report the one already running on that port).

    \b
    Example:
      tunegraph neo4j start --port 7688 --data-dir ./var/neo4j-7688
    """
    if _backend(backend) == "docker":
        docker_server.compose(COMPOSE_FILE, ["up", "-d", "--wait"], password, port)
        _create_schema(f"bolt://127.0.0.1:{port}", password)
        click.echo(
            f"Neo4j (docker compose) on bolt://127.0.0.1:{port}; Browser: http://localhost:7474"
        )
        return
    click.echo(f"Starting Neo4j on bolt://127.0.0.1:{port} … (first start fetches jars with Maven)")
    began = time.monotonic()
    spec = neo4j_server.InstanceSpec(
        port=port, data_dir=data_dir, password=password, heap_mb=heap_mb,
        pagecache_mb=pagecache_mb, ready_timeout_s=timeout,
    )  # fmt: skip
    record, started = neo4j_server.start(spec, local_paths())
    _create_schema(record.uri, record.password)
    verb = "started" if started else "already running"
    click.echo(
        f"Neo4j {record.version} {verb} on {record.uri} (pid {record.pid}, data {record.data_dir}, "
        f'{time.monotonic() - began:.1f} s). Try: tunegraph query "RETURN 1 AS one"'
    )


@neo4j.command()
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=DEFAULT_BOLT_PORT,
    show_default=True,
    help="Bolt port of the instance to stop.",
)
@click.option(
    "--backend",
    type=click.Choice(["auto", "local", "docker"]),
    default="auto",
    show_default=True,
    help="How it was started (auto: whichever has an instance on the port).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Its data folder, where its record is gone [default: the port's default folder].",
)
@cli_errors
def stop(port: int, backend: str, data_dir: Path | None) -> None:
    """Stop Neo4j cleanly; its data stays in its data directory.

    \b
    Example:
      tunegraph neo4j stop --port 7688
    """
    paths = local_paths()
    found = neo4j_server.find_instance(paths, port, data_dir)
    if found is None and _backend(backend) == "docker":
        docker_server.compose(COMPOSE_FILE, ["down"], DEFAULT_PASSWORD, port)
        click.echo("Neo4j (docker compose) stopped; data kept in its named volume.")
        return
    if found is None:
        raise neo4j_server.LauncherError(
            f"no tunegraph Neo4j is recorded on port {port} (see `tunegraph neo4j status`)"
        )
    running = found.is_running()
    record = neo4j_server.stop(paths, port, data_dir=data_dir) or found
    if not running:
        raise neo4j_server.LauncherError(
            f"no Neo4j was running on port {port} (its stale record is removed)"
        )
    click.echo(f"Neo4j on port {port} stopped; data kept in {record.data_dir}")


@neo4j.command()
@cli_errors
def status() -> None:
    """Say which local Neo4j instances run where.

    \b
    Example:
      tunegraph neo4j status
    """
    instances = neo4j_server.list_instances(local_paths())
    if not instances:
        click.echo("No tunegraph Neo4j instance recorded. Start one: tunegraph neo4j start")
        return
    for record, running in instances:
        state = f"running (pid {record.pid})" if running else "stopped (stale record)"
        click.echo(
            f"{record.uri}  {state}  Neo4j {record.version}  "
            f"data {record.data_dir}  log {record.log_file}"
        )
