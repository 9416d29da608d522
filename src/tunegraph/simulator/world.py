"""Synthetic world generation: a seeded, structured, byte-for-byte repeatable Spotify.

Structure is what makes recommending learnable: artists belong to genres, users
favour one to three genres, playlists draw most tracks from their owner's genres
with Zipf-like popularity, and audio features are drawn per genre. Only Python's
``random.Random`` (stable across platforms for a given seed) drives it.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from os import PathLike

from tunegraph.datasets import vocabulary as vocab
from tunegraph.simulator.entities import (
    Album,
    Artist,
    Extra,
    Playlist,
    Track,
    User,
    World,
    tracks_with_popularity,
)
from tunegraph.simulator.ids import BASE36, EDITORIAL_PREFIX, hashed_id, random_id, world_key

__all__ = [
    "Album",
    "Artist",
    "Extra",
    "Playlist",
    "Track",
    "User",
    "World",
    "WorldConfig",
    "generate_world",
    "load_mpd_world",
]

_ZIPF_EXPONENT = 1.05


@dataclass(frozen=True)
class WorldConfig:
    """Sizes, seed and mess rates of a synthetic world (rates are per entry / per result)."""

    seed: int = 7
    playlists: int = 1000
    users: int = 200
    artists: int = 400
    tracks: int = 6000
    genres: int = 30
    local_rate: float = 0.01
    episode_rate: float = 0.005
    null_item_rate: float = 0.005
    search_null_rate: float = 0.02
    editorial_rate: float = 0.02
    private_rate: float = 0.03
    collaborative_rate: float = 0.03
    mean_playlist_length: int = 40

    def validate(self) -> None:
        """Raise ValueError with one clear line for a world that cannot be built."""
        for name in ("playlists", "users", "artists", "tracks", "genres", "mean_playlist_length"):
            if getattr(self, name) < 1:
                raise ValueError(f"world needs at least 1 of {name}, got {getattr(self, name)}")
        rates = ("local_rate", "episode_rate", "null_item_rate", "search_null_rate")
        for name in (*rates, "editorial_rate", "private_rate", "collaborative_rate"):
            if not 0.0 <= getattr(self, name) <= 0.5:
                raise ValueError(f"{name} must be between 0 and 0.5, got {getattr(self, name)}")


def load_mpd_world(paths: str | PathLike[str] | Iterable[str | PathLike[str]]) -> World:
    """A world built from Million Playlist Dataset slice files (files or folders)."""
    from tunegraph.simulator.mpd_world import build_mpd_world

    return build_mpd_world(paths)


def generate_mpd_shaped_world(playlists: int, seed: int) -> World:
    """A world built from an MPD-shaped generated collection (see datasets.synthetic_mpd)."""
    from tunegraph.datasets.mpd import parse_playlist
    from tunegraph.datasets.synthetic_mpd import MpdShape, generate_mpd
    from tunegraph.simulator.mpd_world import build_world_from_records

    shape = MpdShape(playlists=playlists, seed=seed)
    generated = generate_mpd(shape)
    records = (parse_playlist(r, "generated") for r in generated.iter_playlists())
    key = world_key("mpd-shaped", asdict(shape))
    return build_world_from_records(records, source="mpd-shaped", seed=seed, key=key)


def _zipf_cum_weights(count: int) -> list[float]:
    total, out = 0.0, []
    for rank in range(count):
        total += 1.0 / (rank + 1) ** _ZIPF_EXPONENT
        out.append(total)
    return out


def _unique(taken: set[str], make, rng: random.Random) -> str:
    """A name from ``make(rng)`` not yet in ``taken``; numbered when the words run out."""
    for _ in range(20):
        name = make(rng)
        if name not in taken:
            taken.add(name)
            return name
    base, n = make(rng), 2
    while f"{base} {n}" in taken:
        n += 1
    taken.add(f"{base} {n}")
    return f"{base} {n}"


class _Generator:
    """One generation run; the order of every rng call is part of the world's identity."""

    def __init__(self, config: WorldConfig) -> None:
        config.validate()
        self.config = config
        self.key = world_key("synthetic", asdict(config))
        self.rng = random.Random(config.seed)
        self.ids: set[str] = set()
        self.genres = vocab.genre_names(config.genres)
        self.genre_cum = _zipf_cum_weights(len(self.genres))
        self.profiles = {g: vocab.feature_profile(self.rng) for g in self.genres}

    def fresh_id(self) -> str:
        """A new id of this world: a draw from the world's rng (which keeps the world's
        structure the seed's), hashed with the world's key (so no other world has it)."""
        while True:
            new = hashed_id(self.key, random_id(self.rng))
            if new not in self.ids and not new.startswith(EDITORIAL_PREFIX):
                self.ids.add(new)
                return new

    def pick_genre(self) -> str:
        return self.rng.choices(self.genres, cum_weights=self.genre_cum)[0]

    def artists(self) -> dict[str, Artist]:
        rng, out = self.rng, {}
        names: set[str] = set()
        for i in range(self.config.artists):
            genre = self.genres[i] if i < len(self.genres) else self.pick_genre()
            name = _unique(
                names, lambda r: f"{r.choice(vocab.ADJECTIVES)} {r.choice(vocab.NOUNS)}", rng
            )
            artist = Artist(id=self.fresh_id(), name=name, genre=genre)
            out[artist.id] = artist
        return out

    def tracks(self, artists: dict[str, Artist]) -> tuple[dict[str, dict], dict[str, Album]]:
        rng, cfg = self.rng, self.config
        artist_list = list(artists.values())
        rng.shuffle(artist_list)
        cum = _zipf_cum_weights(len(artist_list))
        owners = artist_list[: cfg.tracks] + rng.choices(
            artist_list, cum_weights=cum, k=max(0, cfg.tracks - len(artist_list))
        )
        by_artist: dict[str, list[int]] = {}
        for index, artist in enumerate(owners):
            by_artist.setdefault(artist.id, []).append(index)
        by_genre: dict[str, list[Artist]] = {}
        for artist in artists.values():
            by_genre.setdefault(artist.genre, []).append(artist)
        names: set[str] = set()
        tracks: dict[str, dict] = {}
        albums: dict[str, Album] = {}
        for artist in artists.values():
            pending = by_artist.get(artist.id, [])
            while pending:
                size = min(len(pending), rng.randint(1, 12))
                chunk, pending = pending[:size], pending[size:]
                album = self._album(artist, names)
                albums[album.id] = album
                for _ in chunk:
                    track = self._track(artist, album, by_genre[artist.genre], names)
                    tracks[track["id"]] = track
        return tracks, albums

    def _album(self, artist: Artist, names: set[str]) -> Album:
        rng = self.rng
        name = _unique(
            names, lambda r: f"{r.choice(vocab.TITLE_WORDS)} {r.choice(vocab.NOUNS)}", rng
        )
        date = f"{rng.randint(1960, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return Album(id=self.fresh_id(), name=name, release_date=date, artist_ids=(artist.id,))

    def _track(self, artist: Artist, album: Album, peers: list[Artist], names: set[str]) -> dict:
        rng = self.rng
        name = _unique(
            names,
            lambda r: " ".join(
                (r.choice(vocab.TITLE_WORDS), r.choice(vocab.TITLE_WORDS), r.choice(vocab.NOUNS))
            ),
            rng,
        )
        artist_ids: tuple[str, ...] = (artist.id,)
        if len(peers) > 1 and rng.random() < 0.12:
            featured = rng.choice(peers)
            if featured.id != artist.id:
                artist_ids = (artist.id, featured.id)
        return {
            "id": self.fresh_id(),
            "name": name,
            "duration_ms": int(min(600_000, max(60_000, rng.gauss(215_000, 55_000)))),
            "explicit": rng.random() < 0.12,
            "artist_ids": artist_ids,
            "album_id": album.id,
            "audio_features": vocab.draw_features(rng, self.profiles[artist.genre]),
        }

    def users(self) -> dict[str, User]:
        rng, out = self.rng, {}
        names: set[str] = set()
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        for _ in range(self.config.users):
            name = _unique(
                names, lambda r: f"{r.choice(vocab.FIRST_NAMES)} {r.choice(vocab.LAST_NAMES)}", rng
            )
            favourites: list[str] = []
            for _ in range(rng.randint(1, 3)):
                genre = self.pick_genre()
                if genre not in favourites:
                    favourites.append(genre)
            drawn = "".join(rng.choice(alphabet) for _ in range(26))
            user_id = "31" + hashed_id(self.key, drawn, length=26, alphabet=BASE36)
            out[user_id] = User(id=user_id, display_name=name, genres=tuple(favourites))
        return out


def generate_world(config: WorldConfig) -> World:
    """Build the synthetic world for ``config``; the same config always gives the same world."""
    gen = _Generator(config)
    artists = gen.artists()
    track_rows, albums = gen.tracks(artists)
    users = gen.users()
    pools = _genre_pools(gen, track_rows, artists)
    from tunegraph.simulator.playlists import generate_playlists

    playlists = generate_playlists(gen.rng, config, gen.fresh_id, users, artists, track_rows, pools)
    plays = Counter(tid for p in playlists.values() for tid in p.track_ids)
    tracks = tracks_with_popularity(track_rows, plays)
    editorial = tuple(
        hashed_id("editorial", gen.key, i, prefix=EDITORIAL_PREFIX)
        for i in range(max(1, config.playlists // 50))
    )
    return World(
        users=users,
        playlists=playlists,
        tracks=tracks,
        artists=artists,
        albums=albums,
        source="synthetic",
        seed=config.seed,
        key=gen.key,
        editorial_ids=editorial,
        search_null_rate=config.search_null_rate,
        editorial_rate=config.editorial_rate,
    )


def _genre_pools(
    gen: _Generator, track_rows: dict[str, dict], artists: dict[str, Artist]
) -> dict[str, tuple[list[str], list[float]]]:
    """Per genre: its tracks in a shuffled popularity order with Zipf cumulative weights."""
    by_genre: dict[str, list[str]] = {}
    for tid, row in track_rows.items():
        by_genre.setdefault(artists[row["artist_ids"][0]].genre, []).append(tid)
    pools = {}
    for genre in gen.genres:
        ids = by_genre.get(genre, [])
        gen.rng.shuffle(ids)
        if ids:
            pools[genre] = (ids, _zipf_cum_weights(len(ids)))
    return pools
