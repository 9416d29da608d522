"""tunegraph.crawler: the async Spotify client and the resumable breadth-first crawl.

Layers, bottom up: ``transport`` (one aiohttp session), ``auth`` (tokens), ``policy``
(pure rate/retry decisions), ``retrying`` (the one tenacity loop), ``client`` (all of
them together), ``models`` and ``endpoints`` (typed requests), ``visit`` (one playlist),
``writer`` (batched graph writes), ``dispatch`` (claims from the Neo4j frontier),
``workers``, ``features`` (audio features), ``stats`` and ``summary`` (progress and the
closing summary), ``shutdown`` (stopping on request), ``crawl`` (the parts put together),
``save`` (write a playlist back).
"""

from tunegraph.crawler.crawl import crawl
from tunegraph.crawler.errors import (
    ApiError,
    ApiUnreachable,
    AuthFailed,
    CrawlerError,
    CredentialsMissing,
    GraphUnavailable,
    InvalidSeed,
    RateLimitStop,
)
from tunegraph.crawler.ids import parse_playlist_ref
from tunegraph.crawler.save import SavedPlaylist, save_playlist
from tunegraph.crawler.settings import ApiSettings, CrawlSettings
from tunegraph.crawler.shutdown import StopSwitch
from tunegraph.crawler.summary import CrawlSummary

__all__ = [
    "ApiError",
    "ApiSettings",
    "ApiUnreachable",
    "AuthFailed",
    "CrawlSettings",
    "CrawlSummary",
    "CrawlerError",
    "CredentialsMissing",
    "GraphUnavailable",
    "InvalidSeed",
    "RateLimitStop",
    "SavedPlaylist",
    "StopSwitch",
    "crawl",
    "parse_playlist_ref",
    "save_playlist",
]
