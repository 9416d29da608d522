"""What the frontier hands out and the order it hands it out in (no Neo4j here).

Order and reproducibility: a playlist's key is its discoverer's key plus the fixed-width
(artist index, search rank) that found it, and the smallest key wins. Work is handed
out one depth at a time (a level barrier): depth d+1 opens only when every depth-d
playlist is finished, so depths and keys are final before anything of that level is
claimed, and ``max_playlists`` cuts the (depth, key) order at the same place whatever
the timing, the faults or the restarts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

QUEUED, CLAIMED, DONE, FAILED, INACCESSIBLE = "queued", "claimed", "done", "failed", "inaccessible"
UNLIMITED = 2**62


@dataclass(frozen=True)
class Claim:
    playlist_id: str
    depth: int
    key: str


@dataclass(frozen=True)
class Wait:
    """Nothing claimable now, but others hold claims that may open more work."""


@dataclass(frozen=True)
class Finished:
    """The frontier is exhausted, or the playlist cap is reached."""

    expired: int = 0


def seed_key(index: int) -> str:
    return f"{index:04d}"


def child_key(parent_key: str, artist_index: int, rank: int) -> str:
    """Fixed-width parts keep string order equal to (parent, artist, rank) order."""
    return f"{parent_key}.{artist_index:04d}{rank:05d}"


def best_children(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per playlist id: the smallest (depth, key)."""
    best: dict[str, dict[str, Any]] = {}
    for row in rows:
        old = best.get(row["id"])
        if old is None or (row["depth"], row["key"]) < (old["depth"], old["key"]):
            best[row["id"]] = row
    return sorted(best.values(), key=lambda r: (r["depth"], r["key"]))
