"""Peak resident memory of a process tree, measured while a benchmark's work runs."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

import psutil

GIB = 2**30


def _no_server() -> int | None:
    return None


class RssSampler:
    """Samples a process tree's RSS on a thread: the Python side apart from Java.

    Java is Neo4j's (its offline importer, or the server whose pid ``server_pid`` gives),
    so a figure for the importer or the exporter is not the database's memory.
    ``timeline`` keeps the Python side's GiB every ``timeline_every_s`` seconds.
    """

    def __init__(
        self,
        root: psutil.Process | None = None,
        server_pid: Callable[[], int | None] = _no_server,
        every_s: float = 0.05,
        timeline_every_s: float = 5.0,
    ) -> None:
        self.root = root or psutil.Process()
        self.server_pid = server_pid
        self.every_s, self.timeline_every_s = every_s, timeline_every_s
        self.python_peak = self.neo4j_peak = 0
        self.timeline: list[tuple[float, float]] = []  # (seconds, Python GiB)
        self._start = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def current(self) -> tuple[int, int]:
        """(Python, Java) bytes resident now."""
        python = java = 0
        with contextlib.suppress(psutil.Error):
            for proc in [self.root, *self.root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # it may have exited meanwhile
                    rss = proc.memory_info().rss
                    if proc.name().startswith("java"):
                        java += rss
                    else:
                        python += rss
        pid = self.server_pid()
        if pid:
            with contextlib.suppress(psutil.Error):
                java += psutil.Process(pid).memory_info().rss
        return python, java

    def sample(self) -> None:
        python, java = self.current()
        self.python_peak = max(self.python_peak, python)
        self.neo4j_peak = max(self.neo4j_peak, java)
        elapsed = time.perf_counter() - self._start
        if not self.timeline or elapsed - self.timeline[-1][0] >= self.timeline_every_s:
            self.timeline.append((round(elapsed, 1), round(python / GIB, 2)))

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.sample()

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
