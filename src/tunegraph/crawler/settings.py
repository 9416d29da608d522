"""The crawl's settings, built once by the CLI (or a test) and passed down unchanged."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

DEFAULT_API_URL = "https://api.spotify.com/v1"
DEFAULT_TOKEN_URL = "https://accounts.spotify.com/api/token"


@dataclass(frozen=True)
class ApiSettings:
    """Where the API is and who we are; ``repr`` never shows a secret."""

    api_url: str = DEFAULT_API_URL
    token_url: str = DEFAULT_TOKEN_URL
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    client_tag: str | None = None  # sent as X-Client-Tag (the simulator's per-client log)
    timeout_s: float = 10.0
    rate_limit: int = 150  # requests per rolling window, shared by all workers
    window_s: float = 30.0
    max_retry_after_s: float = 120.0
    max_attempts: int = 8  # per request, for 5xx, timeouts and dropped connections
    max_rate_limited: int = 10  # 429s in a row for one request before the crawl stops
    backoff_base_s: float = 0.25
    backoff_cap_s: float = 8.0

    @property
    def has_credentials(self) -> bool:
        return bool(self.client_id and self.client_secret) or bool(self.access_token)


@dataclass(frozen=True)
class CrawlSettings:
    """What to crawl and how hard; the cap fields define the crawl's identity."""

    seeds: tuple[str, ...]
    api: ApiSettings = ApiSettings()
    workers: int = 8
    max_depth: int = 2
    max_playlists: int | None = 100
    tracks_per_playlist: int = 50
    artists_per_playlist: int = 50
    search_pages: int = 1
    search_limit: int = 10  # at most 10 in development mode
    audio_features: bool = True
    lease_s: float = 60.0
    flush_rows: int = 5_000
    flush_interval_s: float = 0.25
    neo4j_outage_s: float = 120.0
    progress_interval_s: float = 5.0
    max_seconds: float | None = None  # stop gracefully after this long (resumable)

    @property
    def crawl_id(self) -> str:
        """Stable id from seeds and caps: the same command resumes the same crawl."""
        return hashlib.sha1(json.dumps(self.identity(), sort_keys=True).encode()).hexdigest()[:16]

    def identity(self) -> dict[str, object]:
        return {
            "seeds": list(self.seeds),
            "max_depth": self.max_depth,
            "max_playlists": self.max_playlists,
            "tracks_per_playlist": self.tracks_per_playlist,
            "artists_per_playlist": self.artists_per_playlist,
            "search_pages": self.search_pages,
            "search_limit": self.search_limit,
        }
