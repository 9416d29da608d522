"""Stopping a crawl on purpose: a stop request, a time limit, the first fatal error.

The library never installs signal handlers: the CLI turns a Ctrl-C into
``StopSwitch.request``, and the crawl stops gracefully (writes flushed, claims released).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Literal

StopReason = Literal["interrupt", "time-limit"]


class StopSwitch:
    """Asks a running crawl to stop gracefully; call it from the crawl's event loop."""

    def __init__(self) -> None:
        self.reason: StopReason | None = None
        self._scope: asyncio.Timeout | None = None

    def request(self, reason: StopReason = "interrupt") -> None:
        if self.reason is None:
            self.reason = reason
        if self._scope is not None:
            self._scope.reschedule(asyncio.get_running_loop().time())

    async def until_stopped(
        self, work: Callable[[], Awaitable[None]], limit_s: float | None = None
    ) -> bool:
        """Run ``work()`` until it ends (True), a stop is requested or ``limit_s`` passes."""
        if self.reason is not None:
            return False
        try:
            async with asyncio.timeout(limit_s) as scope:
                self._scope = scope
                await work()
        except TimeoutError:
            if not scope.expired():
                raise
            if self.reason is None:
                self.reason = "time-limit"
            return False
        finally:
            self._scope = None
        return True


def first_error(error: BaseException) -> BaseException:
    """The first leaf of an exception group (the error itself when it is none)."""
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error


@contextlib.asynccontextmanager
async def task_group() -> AsyncIterator[asyncio.TaskGroup]:
    """An ``asyncio.TaskGroup`` that raises its first error as is.

    The first fatal error decides how a crawl ends; the ones it caused in sibling tasks
    add nothing.
    """
    try:
        async with asyncio.TaskGroup() as group:
            yield group
    except BaseExceptionGroup as group_error:
        raise first_error(group_error) from None
