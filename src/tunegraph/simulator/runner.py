"""A simulator on a background thread with its own event loop.

Sync tests, other processes and benchmarks reach it over HTTP while the caller's
thread stays free; ``stop()`` shuts the server down and joins the thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable

from tunegraph.simulator.entities import World
from tunegraph.simulator.server import RunningSimulator, Simulator, SimulatorConfig, run_simulator


class SimulatorThread:
    """Start with ``start()`` (or as a context manager); read ``base_url`` once started."""

    def __init__(self, world: World, config: SimulatorConfig | None = None) -> None:
        self.world = world
        self.config = config or SimulatorConfig()
        self._ready = threading.Event()
        self._running: RunningSimulator | None = None
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, name="tunegraph-simulator", daemon=True)

    def start(self, timeout: float = 30.0) -> SimulatorThread:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("simulator did not start in time")
        if self._error is not None:
            raise self._error
        return self

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())  # cancels what is in flight (a stalled request) at exit
        except BaseException as exc:  # reported to the starting thread
            self._error = exc
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with run_simulator(self.world, self.config) as running:
            self._running = running
            self._ready.set()
            await self._stop.wait()

    @property
    def running(self) -> RunningSimulator:
        if self._running is None:
            raise RuntimeError("simulator not started")
        return self._running

    @property
    def base_url(self) -> str:
        return self.running.base_url

    @property
    def simulator(self) -> Simulator:
        return self.running.simulator

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=30)

    def __enter__(self) -> SimulatorThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_until_interrupted(
    world: World, config: SimulatorConfig, on_ready: Callable[[RunningSimulator], None]
) -> None:
    """Serve in the foreground until Ctrl-C or SIGTERM; ``on_ready`` is called once the port
    is bound. Both signals are handled here, not left to Python's default: a shell that
    starts a command in the background (``… &`` in a script, a CI job) leaves SIGINT
    ignored, and the server would then never stop on it."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with run_simulator(world, config) as running:
            on_ready(running)
            await stop.wait()

    with contextlib.suppress(KeyboardInterrupt):  # a Ctrl-C before the handlers are in place
        asyncio.run(main())
