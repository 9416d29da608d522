"""What the Python API, the CLI and the server exchange: small frozen dataclasses.

Kept free of numpy and TensorFlow so ``import tunegraph`` stays instant; the model
itself is loaded only by ``tunegraph.load_model``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_K = 1000  # the most tracks one request may ask for (the CLI, the API and the server)


@dataclass(frozen=True)
class Request:
    """One question: a known playlist, or tracks and/or a title (a new playlist)."""

    playlist: str | None = None
    tracks: tuple[str, ...] | None = None
    name: str | None = None


@dataclass(frozen=True)
class Recommendation:
    """One recommended track; ``score`` is the ranker's (only its order means something)."""

    rank: int
    track_id: str
    name: str
    artists: tuple[str, ...]
    score: float

    def as_json(self) -> dict[str, Any]:
        """A plain dict for JSON; 16x faster than ``dataclasses.asdict`` (a k = 500 answer
        spent as long in ``asdict`` as in the model)."""
        return {
            "rank": self.rank,
            "track_id": self.track_id,
            "name": self.name,
            "artists": list(self.artists),
            "score": self.score,
        }
