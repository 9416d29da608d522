"""tunegraph.crawler: the async Spotify client and the resumable breadth-first crawl.

Layers, bottom up: ``transport`` (one aiohttp session), ``auth`` (tokens), ``policy``
(pure rate/retry decisions), ``client`` (all three together), ``models`` and
``endpoints`` (typed requests), ``visit`` (one playlist), ``writer`` (batched graph
writes), ``crawl`` (workers over the Neo4j frontier), ``save`` (write a playlist back).
"""

from tunegraph.crawler.crawl import CrawlSummary, crawl
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
    "crawl",
    "parse_playlist_ref",
    "save_playlist",
]
