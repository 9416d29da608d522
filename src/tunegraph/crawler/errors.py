"""Crawler errors: each message is one line a user can act on, and never holds a secret."""

from __future__ import annotations

import time

from tunegraph.errors import TunegraphError
from tunegraph.redaction import redact, shorten

API_MESSAGE_CHARS = 200  # of a server's error message: enough to act on, no echoed request


class CrawlerError(TunegraphError):
    """Base class; the message is redacted here, since crawl reports print it as well."""

    def __init__(self, message: str = "") -> None:
        super().__init__(redact(message))


class InvalidSeed(CrawlerError):
    """A seed is neither a Spotify playlist id nor an open.spotify.com playlist URL."""


class CredentialsMissing(CrawlerError):
    """Neither client credentials nor a user access token were given."""


class AuthFailed(CrawlerError):
    """The accounts service refused the credentials."""


class ApiUnreachable(CrawlerError):
    """The API or accounts service cannot be reached at all."""


class ApiError(CrawlerError):
    """A non-retryable answer (4xx other than 401/429)."""

    def __init__(self, status: int, message: str, url: str = "") -> None:
        message = redact(shorten(message, API_MESSAGE_CHARS))
        super().__init__(f"HTTP {status}: {message}" + (f" ({url})" if url else ""))
        self.status = status
        self.message = message


class ForeignUrl(CrawlerError):
    """A URL from the network names another origin than the API's: the token stays home."""


class PagingError(CrawlerError):
    """A listing's ``next`` goes back to a page already fetched: its playlist fails."""


class TransientError(CrawlerError):
    """5xx, timeouts, dropped connections, malformed bodies: worth another try."""


class MalformedResponse(TransientError):
    """A 200 whose body is not the JSON shape the endpoint promises."""


class PacedRetry(TransientError):
    """Retried without a backoff of its own: something else makes the next try differ."""


class RateLimited(PacedRetry):
    """A 429: the shared limiter holds every worker until Retry-After has passed."""

    def __init__(self, retry_after_s: float, reason: str | None) -> None:
        super().__init__(f"HTTP 429, Retry-After {retry_after_s:g} s")
        self.retry_after_s = retry_after_s
        self.reason = reason


class TokenRefused(PacedRetry):
    """A 401: the next try carries a fresh token."""


class RateLimitStop(CrawlerError):
    """The API refuses for longer than the crawl may wait: stop cleanly, resume later."""

    def __init__(self, message: str, resume_at_epoch: float) -> None:
        when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(resume_at_epoch))
        super().__init__(
            f"{message}; the crawl stopped with its state kept: "
            f"run the same command again after {when}"
        )
        self.resume_at_epoch = resume_at_epoch

    @classmethod
    def wait_too_long(
        cls, retry_after_s: float, resume_at_epoch: float, reason: str | None
    ) -> RateLimitStop:
        why = f" ({reason})" if reason else ""
        return cls(
            f"the API asked to wait {retry_after_s:.0f} s{why}, longer than --max-retry-after",
            resume_at_epoch,
        )

    @classmethod
    def too_many_in_a_row(
        cls, count: int, resume_at_epoch: float, reason: str | None
    ) -> RateLimitStop:
        why = f" ({reason})" if reason else ""
        return cls(f"the API answered 429 to {count} tries in a row{why}", resume_at_epoch)


class GraphUnavailable(CrawlerError):
    """Neo4j stayed unreachable longer than the crawl waits for it."""
