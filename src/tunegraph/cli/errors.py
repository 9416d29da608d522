"""The one way a library error becomes a message: `@cli_errors` on each command.

The library says "the user can fix this" by raising its domain errors (and, for
settings that cannot work, a one-line ``ValueError``; for files and sockets, an
``OSError``). A command wears ``@cli_errors`` directly above its ``def``, under the
click decorators, and each such error becomes a one-line `click.ClickException`
(exit 1), or a `click.UsageError` (exit 2) where the options contradict each other.
Anything else is a bug and keeps its traceback. The root group (`SafeErrorsGroup`)
masks secrets in every `click.ClickException`, these included.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from tunegraph.crawler.errors import CrawlerError
from tunegraph.graphstore.errors import GraphStoreError
from tunegraph.model.cluster import ClusterError
from tunegraph.model.errors import ModelError
from tunegraph.outputs import OutputError

F = TypeVar("F", bound=Callable[..., Any])

# ValueError covers the data contract, MPD files and settings' validate(); the model's
# and the crawler's errors load no TensorFlow and no network code.
DOMAIN_ERRORS: tuple[type[Exception], ...] = (
    GraphStoreError,
    CrawlerError,
    ModelError,
    OutputError,
    ValueError,
    OSError,
)
USAGE_ERRORS: tuple[type[Exception], ...] = (ClusterError,)


def error_message(exc: Exception) -> str:
    """The line a user reads: an ``OSError`` as "path: reason", others as they say it."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    return str(exc)


def cli_errors(command: F) -> F:
    """Turn the domain errors ``command`` raises into one-line click errors."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except USAGE_ERRORS as exc:
            raise click.UsageError(error_message(exc)) from None
        except DOMAIN_ERRORS as exc:
            raise click.ClickException(error_message(exc)) from None

    return wrapper  # type: ignore[return-value]  # functools.wraps loses F's signature
