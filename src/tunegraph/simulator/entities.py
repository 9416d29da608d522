"""The world a simulator serves: users, playlists, tracks, artists, albums.

Entities are immutable and hold only facts; how they look on the wire lives in
``render``. ``Playlist.track_ids`` holds only real tracks, in order; the mess a
real playlist carries (local files, episodes, null items) sits in ``extras`` with
its position in the full list, so a test can tell from the world alone what a
complete crawl must find, with the mess switched on or off.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

ADD_INTERVAL_S = 3600  # item i of a playlist was added at created_at + i * ADD_INTERVAL_S
_WORD_RE = re.compile(r"[^\W_]+")


def normalize(text: str) -> str:
    """Lower-case, accent-free words joined by single spaces: the form search matches on."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(_WORD_RE.findall(folded))


@dataclass(frozen=True)
class User:
    id: str
    display_name: str
    genres: tuple[str, ...] = ()


@dataclass(frozen=True)
class Artist:
    id: str
    name: str
    genre: str = ""


@dataclass(frozen=True)
class Album:
    id: str
    name: str
    release_date: str
    artist_ids: tuple[str, ...]


@dataclass(frozen=True)
class Track:
    id: str
    name: str
    duration_ms: int
    explicit: bool
    artist_ids: tuple[str, ...]
    album_id: str
    popularity: int
    audio_features: dict[str, float] = field(default_factory=dict, hash=False)


def tracks_with_popularity(
    rows: dict[str, dict[str, Any]], plays: Mapping[str, int]
) -> dict[str, Track]:
    """Popularity follows play frequency: log-scaled plays, 100 for the most played track."""
    top = max(plays.values(), default=1)
    return {
        tid: Track(**row, popularity=round(100 * math.log1p(plays.get(tid, 0)) / math.log1p(top)))
        for tid, row in rows.items()
    }


@dataclass(frozen=True)
class Extra:
    """A non-track playlist entry: ``kind`` is "local", "episode" or "null"."""

    position: int
    kind: str
    id: str | None = None  # episodes only
    name: str = ""
    artist_name: str = ""
    album_name: str = ""
    duration_ms: int = 0


@dataclass(frozen=True)
class Playlist:
    id: str
    name: str
    description: str
    owner_id: str
    track_ids: tuple[str, ...]
    followers: int
    snapshot_id: str
    public: bool = True
    collaborative: bool = False
    extras: tuple[Extra, ...] = ()
    created_at: int = 1_600_000_000
    genre: str = ""

    def entries(self, kinds: frozenset[str] | set[str] = frozenset()) -> list[str | Extra]:
        """The playlist as served: track ids interleaved with the extras whose kind is enabled."""
        if not self.extras:
            return list(self.track_ids)
        by_position = {extra.position: extra for extra in self.extras}
        out: list[str | Extra] = []
        tracks = iter(self.track_ids)
        for position in range(len(self.track_ids) + len(self.extras)):
            extra = by_position.get(position)
            if extra is None:
                out.append(next(tracks))
            elif extra.kind in kinds:
                out.append(extra)
        return out


@dataclass
class World:
    """Everything a simulator serves, keyed by id, plus search over playlists."""

    users: dict[str, User]
    playlists: dict[str, Playlist]
    tracks: dict[str, Track]
    artists: dict[str, Artist]
    albums: dict[str, Album]
    source: str = "synthetic"
    seed: int | None = None
    key: str = ""  # the world's identity, hashed into its ids (ids.world_key); "" for MPD data
    editorial_ids: tuple[str, ...] = ()
    search_null_rate: float = 0.0
    editorial_rate: float = 0.0
    _index: dict[str, set[str]] | None = field(default=None, init=False, repr=False)
    _text: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _by_artist: dict[str, list[str]] | None = field(default=None, init=False, repr=False)
    _artist_names: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)
    _search_cache: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)
    _checksum: str | None = field(default=None, init=False, repr=False)

    def sizes(self) -> dict[str, int]:
        """Entity counts, for ``/_simulator/world`` and log lines."""
        return {
            "users": len(self.users),
            "playlists": len(self.playlists),
            "tracks": len(self.tracks),
            "artists": len(self.artists),
            "albums": len(self.albums),
        }

    def search_playlists(self, query: str) -> list[str]:
        """Public playlists matching ``query``, best first, before any served mess.

        A playlist matches when the query's words appear as a phrase in its name
        or description; when none does and the query names an artist, the public
        playlists containing that artist's tracks match instead (MPD playlists
        rarely have descriptions). Ties break by followers, then id.
        """
        phrase = normalize(query)
        cached = self._search_cache.get(phrase)
        if cached is not None:
            return list(cached)
        result = self._phrase_matches(phrase) if phrase else []
        if not result and phrase:
            result = self._artist_matches(phrase)
        if len(self._search_cache) > 50_000:
            self._search_cache.clear()
        self._search_cache[phrase] = result
        return list(result)

    def _phrase_matches(self, phrase: str) -> list[str]:
        if self._index is None:
            self._build_text_index()
        assert self._index is not None
        words = phrase.split()
        candidates = set.intersection(*(self._index.get(w, set()) for w in words))
        padded = f" {phrase} "
        hits = [pid for pid in candidates if padded in self._text[pid]]
        return self._rank(hits)

    def _artist_matches(self, phrase: str) -> list[str]:
        if self._by_artist is None:
            self._build_artist_index()
        assert self._by_artist is not None
        hits: set[str] = set()
        for artist_id in self._artist_names.get(phrase, []):
            hits.update(self._by_artist.get(artist_id, []))
        return self._rank(list(hits))

    def _rank(self, ids: list[str]) -> list[str]:
        return sorted(ids, key=lambda pid: (-self.playlists[pid].followers, pid))

    def _build_text_index(self) -> None:
        index: dict[str, set[str]] = {}
        for pid, playlist in self.playlists.items():
            if not playlist.public:
                continue
            text = f" {normalize(playlist.name)} | {normalize(playlist.description)} "
            self._text[pid] = text
            for word in set(text.split()):
                index.setdefault(word, set()).add(pid)
        self._index = index

    def _build_artist_index(self) -> None:
        by_artist: dict[str, set[str]] = {}
        for pid, playlist in self.playlists.items():
            if not playlist.public:
                continue
            for track_id in playlist.track_ids:
                for artist_id in self.tracks[track_id].artist_ids:
                    by_artist.setdefault(artist_id, set()).add(pid)
        self._by_artist = {aid: sorted(pids) for aid, pids in by_artist.items()}
        for artist in self.artists.values():
            self._artist_names.setdefault(normalize(artist.name), []).append(artist.id)

    def seed_playlist_ids(self, n: int = 5) -> list[str]:
        """Good crawl seeds: the most-followed public playlists with at least one track."""
        public = [p for p in self.playlists.values() if p.public and p.track_ids]
        public.sort(key=lambda p: (-p.followers, p.id))
        return [p.id for p in public[:n]]

    def checksum(self) -> str:
        """SHA-256 over a canonical dump of every entity: equal worlds, equal checksums."""
        if self._checksum is None:
            digest = hashlib.sha256()
            for line in self._canonical_lines():
                digest.update(line.encode())
                digest.update(b"\n")
            self._checksum = digest.hexdigest()
        return self._checksum

    def by_kind(self) -> list[tuple[str, Mapping[str, Any]]]:
        """Each kind of entity with its entities by id, in a fixed order."""
        return [
            ("user", self.users),
            ("artist", self.artists),
            ("album", self.albums),
            ("track", self.tracks),
            ("playlist", self.playlists),
        ]

    def _canonical_lines(self) -> Iterator[str]:
        for kind, entities in self.by_kind():
            for key in sorted(entities):
                body = json.dumps(asdict(entities[key]), sort_keys=True, ensure_ascii=False)
                yield f"{kind}\t{body}"
        yield "editorial\t" + ",".join(self.editorial_ids)
        yield f"mess\t{self.search_null_rate!r}\t{self.editorial_rate!r}"
