"""The one way a library error becomes a message: `@cli_errors` on each command.

The library says "the user can fix this" by raising a ``tunegraph.errors.TunegraphError``
(the root of every domain error: the model's, the graph store's, the crawler's, the
outputs', the data contract's, the MPD files', settings that cannot work). A command
wears ``@cli_errors`` directly above its ``def``, under the click decorators, and each
such error becomes a one-line `click.ClickException` (exit 1), or a `click.UsageError`
(exit 2) where the options contradict each other. Anything else, a ``ValueError`` or an
``OSError`` included, is a bug and keeps its traceback. The root group
(`SafeErrorsGroup`) masks secrets in every `click.ClickException`, these included.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from tunegraph.errors import SettingsError, TunegraphError
from tunegraph.model.twotower.cluster import ClusterError

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

# the model's, the crawler's and the graph store's errors load no TensorFlow and no network code
DOMAIN_ERRORS: tuple[type[Exception], ...] = (TunegraphError,)
USAGE_ERRORS: tuple[type[Exception], ...] = (ClusterError,)


def settings_of(build: Callable[[], T]) -> T:
    """``build()``, whose ``ValueError`` says a setting cannot work: the simulator's
    settings (``validate``, ``parse_kinds``) report the user's mistakes that way. Only
    around building settings from options, never around work: there a ``ValueError``
    is a bug."""
    try:
        return build()
    except ValueError as exc:
        raise SettingsError(str(exc)) from None


def cli_errors(command: F) -> F:
    """Turn the domain errors ``command`` raises into one-line click errors."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except USAGE_ERRORS as exc:
            raise click.UsageError(str(exc)) from None
        except DOMAIN_ERRORS as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper  # type: ignore[return-value]  # functools.wraps loses F's signature
