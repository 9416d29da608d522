"""What the Python API, the CLI and the server exchange: small frozen dataclasses.

Kept free of numpy and TensorFlow so ``import tunegraph`` stays instant; the model
itself is loaded only by ``tunegraph.load_model``.
"""

from __future__ import annotations

import json
import shlex
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
class SharedSeed:
    """A seed track and how many of the model's playlists hold it with the recommendation."""

    track_id: str
    name: str
    playlists: int


@dataclass(frozen=True)
class Because:
    """Why a track was recommended, in what the graph can show.

    ``retrievers``: which candidate sources proposed it, and its 1-based rank in each
    one's own list. ``shared_seeds``: the seed tracks it shares the most playlists with.
    ``same_artist`` / ``same_album``: seed tracks (ids) by one of its artists, on its
    album. ``same_title``: how many playlists titled like the query hold it. ``cypher``
    with ``params``: a read-only query listing exactly the playlists those counts count.
    """

    retrievers: dict[str, int]
    shared_seeds: tuple[SharedSeed, ...]
    same_artist: tuple[str, ...]
    same_album: tuple[str, ...]
    same_title: int
    cypher: str
    params: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "retrievers": dict(self.retrievers),
            "shared_seeds": [
                {"track_id": s.track_id, "name": s.name, "playlists": s.playlists}
                for s in self.shared_seeds
            ],
            "same_artist": list(self.same_artist),
            "same_album": list(self.same_album),
            "same_title": self.same_title,
            "cypher": self.cypher,
            "params": dict(self.params),
        }

    def query_command(self) -> str:
        """``tunegraph query`` with the Cypher and its parameters, ready to paste into a
        shell (add --uri and friends where Neo4j is not the default)."""
        args = ["tunegraph", "query", self.cypher]
        for name, value in self.params.items():
            args += ["-p", f"{name}={json.dumps(value, ensure_ascii=False)}"]
        return shlex.join(args)


@dataclass(frozen=True)
class Recommendation:
    """One recommended track; ``score`` is the ranker's (only its order means something);
    ``because`` is set when an explanation was asked for."""

    rank: int
    track_id: str
    name: str
    artists: tuple[str, ...]
    score: float
    because: Because | None = None

    def as_json(self) -> dict[str, Any]:
        """A plain dict for JSON; 16x faster than ``dataclasses.asdict`` (a k = 500 answer
        spent as long in ``asdict`` as in the model)."""
        out = {
            "rank": self.rank,
            "track_id": self.track_id,
            "name": self.name,
            "artists": list(self.artists),
            "score": self.score,
        }
        if self.because is not None:
            out["because"] = self.because.as_json()
        return out
