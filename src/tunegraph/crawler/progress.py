"""Showing the work: a live rich panel on a terminal, plain log lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import Any, Protocol, TextIO


class Reporter(Protocol):
    def event(self, message: str) -> None: ...
    def tick(self, snapshot: dict[str, Any]) -> None: ...
    def close(self) -> None: ...


def format_tick(s: dict[str, Any]) -> str:
    return (
        f"playlists done {s['done']} (this process {s['visited_here']}), queued {s['queued']}, "
        f"claimed {s['claimed']}, inaccessible {s['inaccessible']}, failed {s['failed']} | "
        f"tracks {s['tracks']} | {s['requests_per_s']:.1f} req/s, 429s {s['rate_limited']}, "
        f"retries {s['retries']}"
    )


class SilentReporter:
    def event(self, message: str) -> None:
        pass

    def tick(self, snapshot: dict[str, Any]) -> None:
        pass

    def close(self) -> None:
        pass


class LogReporter:
    """Timestamped lines on a stream (stderr by default), one per tick and per event."""

    def __init__(self, stream: TextIO | None = None, every_s: float = 5.0) -> None:
        self.stream = stream or sys.stderr
        self.every_s = every_s
        self._last = 0.0

    def _line(self, text: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        print(f"{stamp} crawl: {text}", file=self.stream, flush=True)

    def event(self, message: str) -> None:
        self._line(message)

    def tick(self, snapshot: dict[str, Any]) -> None:
        now = time.monotonic()
        if now - self._last >= self.every_s:
            self._last = now
            self._line(format_tick(snapshot))

    def close(self) -> None:
        pass


class RichReporter:
    """A live table redrawn in place; events print above it."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.live import Live

        self.console = Console(stderr=True)
        self.live = Live(console=self.console, refresh_per_second=4, transient=False)
        self.live.start()

    def event(self, message: str) -> None:
        self.console.log(message)

    def tick(self, snapshot: dict[str, Any]) -> None:
        from rich.table import Table

        table = Table(title="tunegraph crawl", show_header=False, expand=False)
        for label, value in (
            ("world", snapshot.get("world", "?")),
            ("depth", snapshot.get("depth", "-")),
            ("playlists done / queued", f"{snapshot['done']} / {snapshot['queued']}"),
            ("claimed / inaccessible / failed",
             f"{snapshot['claimed']} / {snapshot['inaccessible']} / {snapshot['failed']}"),
            ("tracks (this process)", snapshot["tracks"]),
            ("requests/s", f"{snapshot['requests_per_s']:.1f}"),
            ("429s / retries", f"{snapshot['rate_limited']} / {snapshot['retries']}"),
        ):  # fmt: skip
            table.add_row(label, str(value))
        self.live.update(table)

    def close(self) -> None:
        self.live.stop()


def default_reporter(stream: TextIO | None = None, every_s: float = 5.0) -> Reporter:
    stream = stream or sys.stderr
    if stream.isatty():
        return RichReporter()
    return LogReporter(stream, every_s)
