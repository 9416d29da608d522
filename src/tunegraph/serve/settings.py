"""What `tunegraph serve` can set, checked before anything is loaded."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from tunegraph.errors import SettingsError

MAX_BODY = 1 << 20  # bytes of one request body
MAX_BATCH_REQUESTS = 1000  # requests in one /v1/recommendations/batch body


@dataclass(frozen=True)
class ServeSettings:
    model_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None  # bearer token for /v1 and /admin; required off loopback
    max_batch: int = 256  # queries scored in one model call
    max_wait_ms: float = 2.0  # how long the first queued query waits for company
    max_body: int = MAX_BODY
    shutdown_seconds: float = 5.0  # in-flight requests get this long to finish on stop

    def validate(self) -> None:
        """A SettingsError in one line for settings that cannot work."""
        if not is_loopback(self.host) and not self.token:
            raise SettingsError(
                f"binding {self.host} exposes the server beyond this machine: give a bearer"
                " token (--token or TUNEGRAPH_SERVE_TOKEN), or bind 127.0.0.1"
            )
        if self.max_batch < 1 or self.max_wait_ms < 0:
            raise SettingsError("max batch must be at least 1 and max wait at least 0 ms")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
