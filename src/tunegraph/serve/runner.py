"""Run the server until SIGTERM or Ctrl-C; SIGHUP reloads the model.

On stop the listening socket closes first, requests in flight get
``shutdown_seconds`` to finish, then the scoring thread ends.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Callable

from aiohttp import web

from tunegraph.model.serving.engine import Model
from tunegraph.serve.app import create_app, reload_model
from tunegraph.serve.settings import ServeSettings

log = logging.getLogger("tunegraph.serve")


def serve(settings: ServeSettings, on_ready: Callable[[str], None] | None = None) -> None:
    """Load the model, listen, and block until a stop signal."""
    settings.validate()
    start = time.perf_counter()
    model = Model.load(settings.model_dir)
    asyncio.run(_serve(settings, model, time.perf_counter() - start, on_ready))


async def _serve(
    settings: ServeSettings,
    model: Model,
    load_seconds: float,
    on_ready: Callable[[str], None] | None,
) -> None:
    app = create_app(settings, model, load_seconds)
    runner = web.AppRunner(app, shutdown_timeout=settings.shutdown_seconds, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    reloads: set[asyncio.Task[object]] = set()

    def on_hup() -> None:
        task = loop.create_task(reload_model(app))
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.add_signal_handler(signal.SIGHUP, on_hup)
    address = f"http://{settings.host}:{settings.port}"
    log.info("serving %s on %s", settings.model_dir, address)
    if on_ready is not None:
        on_ready(address)
    try:
        await stop.wait()
    finally:
        log.info("stopping: finishing requests in flight")
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            loop.remove_signal_handler(sig)
        await runner.cleanup()
