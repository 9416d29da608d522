"""The model being served, and its replacement: loaded beside, swapped when whole.

A reload reads the model directory again in a thread (the old model keeps answering);
only a model that loaded and answered its warm-up query is swapped in. A broken one is
refused with a log line, and the old one stays. Requests hold the model they started
with, so those in flight finish on it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tunegraph.model.serving.engine import Model

log = logging.getLogger("tunegraph.serve")

Loader = Callable[[Path], Model]


@dataclass(frozen=True)
class ReloadOutcome:
    swapped: bool
    message: str


class ModelSlot:
    def __init__(self, model: Model, model_dir: Path, loader: Loader = Model.load) -> None:
        self.model = model
        self.model_dir = model_dir
        self.loader = loader
        self.load_seconds = 0.0
        self.reloads = 0
        self._lock = asyncio.Lock()

    async def reload(self) -> ReloadOutcome:
        """Load ``model_dir`` again beside the current model; swap only a whole one."""
        async with self._lock:  # two reloads at once would load twice for nothing
            start = time.perf_counter()
            try:
                fresh = await asyncio.to_thread(self.loader, self.model_dir)
            except Exception as exc:  # any broken model is refused; the old one serves on
                message = f"reload refused, still serving the previous model: {exc}"
                log.error(message)
                return ReloadOutcome(False, message)
            self.model = fresh
            self.load_seconds = time.perf_counter() - start
            self.reloads += 1
            message = (
                f"reloaded {self.model_dir} (data {fresh.checksum}) in {self.load_seconds:.1f}s"
            )
            log.info(message)
            return ReloadOutcome(True, message)
