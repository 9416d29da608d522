"""What every command shares: the Neo4j option group, settings from the environment, errors."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from tunegraph.graphstore.bolt_uri import parse_bolt_uri
from tunegraph.graphstore.settings import (
    DEFAULT_PASSWORD,
    DEFAULT_URI,
    DEFAULT_USER,
    Neo4jSettings,
)
from tunegraph.neo4j_server import LocalPaths, default_paths, recorded_password
from tunegraph.redaction import redact

F = TypeVar("F", bound=Callable[..., Any])

# The secret values this process was given (passwords, client secrets, tokens): no
# error message may show them. One CLI run is one process, so a set is enough.
_SECRETS: set[str] = set()


def remember_secrets(*values: str | None) -> None:
    """Register values that every user-facing error message must mask."""
    _SECRETS.update(v for v in values if v)


def safe_message(text: str) -> str:
    """The one way an error message reaches the user: every secret masked."""
    return redact(text, _SECRETS)


class SafeErrorsGroup(click.Group):
    """The root command: every `click.ClickException` of every command is redacted here."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            # click's stubs mark `message` Final, yet it is a plain attribute: masked in place,
            # the exception keeps its class and exit code
            exc.message = safe_message(exc.message)  # type: ignore[misc]
            raise


def local_paths() -> LocalPaths:
    """Jar cache and instance records: outside the repository, overridable for tests."""
    return default_paths(os.environ, Path.home())


def neo4j_options(command: F) -> F:
    """--uri/--user/--password/--database, each also read from its NEO4J_* variable; the
    command gets them as one ``neo4j: Neo4jSettings`` argument."""

    @functools.wraps(command)
    def with_neo4j(
        *args: Any, uri: str, user: str, password: str | None, database: str | None, **kwargs: Any
    ) -> Any:
        return command(*args, neo4j=_neo4j_settings(uri, user, password, database), **kwargs)

    options = [
        click.option("--uri", envvar="NEO4J_URI", default=DEFAULT_URI, show_default=True,
                     help="Bolt URI of the Neo4j server [env NEO4J_URI]."),
        click.option("--user", envvar="NEO4J_USER", default=DEFAULT_USER, show_default=True,
                     help="Neo4j user [env NEO4J_USER]."),
        click.option("--password", envvar="NEO4J_PASSWORD", default=None,
                     help="Neo4j password [env NEO4J_PASSWORD]; default: the one recorded by "
                     "`tunegraph neo4j start` for that port, else 'tunegraph'."),
        click.option("--database", envvar="NEO4J_DATABASE", default=None,
                     help="Database name [env NEO4J_DATABASE]; default: the server's default."),
    ]  # fmt: skip
    decorated: Callable[..., Any] = with_neo4j
    for option in reversed(options):
        decorated = option(decorated)
    return cast(F, decorated)


def _neo4j_settings(
    uri: str, user: str, password: str | None, database: str | None
) -> Neo4jSettings:
    """The options as settings: a bad URI ends the command; the password is masked from now on."""
    try:
        address = parse_bolt_uri(uri)
    except ValueError as exc:
        raise click.ClickException(f"{safe_message(uri)} is not a Neo4j URI: {exc}") from None
    if password is None:
        password = recorded_password(local_paths(), uri) or DEFAULT_PASSWORD
    remember_secrets(password if password != DEFAULT_PASSWORD else None, address.password)
    return Neo4jSettings(uri=uri, user=user, password=password, database=database or None)


def bar_progress(console: Console) -> Progress:
    """The progress display of long model work: what runs, a bar, details, time so far."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
