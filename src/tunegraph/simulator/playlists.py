"""Synthetic playlists: genre-focused track draws, artist-mentioning names, served mess.

Split from ``world`` because playlists carry most of the realism a crawl and a
recommender meet: long-tailed track choice, names and descriptions that mention
their artists (so artist-name searches find them), and the extras real
playlists hold (local files, episodes, null items) at their own positions.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable

from tunegraph.datasets import vocabulary as vocab
from tunegraph.simulator.entities import Artist, Extra, Playlist, User
from tunegraph.simulator.ids import hashed_id

_FOCUS_SHARE = 0.5  # tracks from the playlist's focus genre
_OWN_GENRE_SHARE = 0.9  # tracks from any of the owner's genres (focus included)
_MAX_LENGTH = 300


def generate_playlists(
    rng: random.Random,
    config,
    fresh_id: Callable[[], str],
    users: dict[str, User],
    artists: dict[str, Artist],
    track_rows: dict[str, dict],
    pools: dict[str, tuple[list[str], list[float]]],
) -> dict[str, Playlist]:
    """``config.playlists`` playlists owned by ``users``; deterministic in ``rng``'s state
    (``fresh_id`` hands out the world's new ids)."""
    user_list = list(users.values())
    owner_cum = [0.0]
    for rank in range(len(user_list)):
        owner_cum.append(owner_cum[-1] + 1.0 / math.sqrt(rank + 1))
    owner_cum = owner_cum[1:]
    genres = sorted(pools)
    names: set[str] = set()
    out: dict[str, Playlist] = {}
    for _ in range(config.playlists):
        owner = rng.choices(user_list, cum_weights=owner_cum)[0]
        own = [g for g in owner.genres if g in pools] or genres
        track_ids = _draw_tracks(rng, config, own, genres, pools)
        top = _top_artists(track_ids, track_rows, artists)
        main_genre = Counter(artists[track_rows[t]["artist_ids"][0]].genre for t in track_ids)
        genre = main_genre.most_common(1)[0][0]
        name = _name(rng, names, genre, top)
        description = _description(rng, genre, top)
        pid = fresh_id()
        extras = _extras(rng, config, pid, len(track_ids))
        out[pid] = Playlist(
            id=pid,
            name=name,
            description=description,
            owner_id=owner.id,
            track_ids=track_ids,
            followers=min(2_000_000, int(rng.paretovariate(1.1) * 4) - 4),
            snapshot_id=hashed_id("snapshot", pid, *track_ids, length=32),
            public=rng.random() >= config.private_rate,
            collaborative=rng.random() < config.collaborative_rate,
            extras=extras,
            created_at=1_400_000_000 + rng.randrange(300_000_000),
            genre=genre,
        )
    return out


def _draw_tracks(
    rng: random.Random,
    config,
    own: list[str],
    genres: list[str],
    pools: dict[str, tuple[list[str], list[float]]],
) -> tuple[str, ...]:
    mu = math.log(config.mean_playlist_length) - 0.32  # lognormal mean ≈ mean_playlist_length
    length = max(3, min(_MAX_LENGTH, int(rng.lognormvariate(mu, 0.8))))
    focus = _pick_focus(rng, own)
    chosen: list[str] = []
    seen: set[str] = set()
    for _ in range(length * 3):
        if len(chosen) >= length:
            break
        roll = rng.random()
        if roll < _FOCUS_SHARE:
            genre = focus
        elif roll < _OWN_GENRE_SHARE:
            genre = rng.choice(own)
        else:
            genre = rng.choice(genres)
        pool, cum = pools[genre]
        track_id = rng.choices(pool, cum_weights=cum)[0]
        if track_id not in seen:
            seen.add(track_id)
            chosen.append(track_id)
    return tuple(chosen)


def _pick_focus(rng: random.Random, own: list[str]) -> str:
    """The playlist's focus genre: the owner's first genre 60% of the time, else any of them.

    Its own function so a benchmark can record the (otherwise unkept) draw for an oracle.
    """
    return own[0] if rng.random() < 0.6 else rng.choice(own)


def _top_artists(
    track_ids: tuple[str, ...], track_rows: dict[str, dict], artists: dict[str, Artist]
) -> list[str]:
    counts = Counter(aid for t in track_ids for aid in track_rows[t]["artist_ids"])
    order = sorted(counts, key=lambda aid: (-counts[aid], aid))
    return [artists[aid].name for aid in order[:3]]


def _name(rng: random.Random, taken: set[str], genre: str, top: list[str]) -> str:
    artist = top[0]
    second = top[1] if len(top) > 1 else top[0]
    templates = (
        f"{genre.title()} Essentials",
        f"{rng.choice(vocab.PLAYLIST_MOODS)} {genre}",
        f"{artist} and friends",
        f"Songs like {artist}",
        f"{artist} x {second}",
        f"{rng.choice(vocab.PLAYLIST_MOODS)} with {artist}",
        f"my {genre} mix",
    )
    base = rng.choice(templates)
    name, volume = base, 2
    while name in taken:
        name = f"{base} vol. {volume}"
        volume += 1
    taken.add(name)
    return name


def _description(rng: random.Random, genre: str, top: list[str]) -> str:
    roll = rng.random()
    if roll < 0.25:
        return ""
    if roll < 0.8 and len(top) >= 2:
        listed = ", ".join(top[:-1]) + f" and {top[-1]}"
        return f"The best of {genre}: {listed}."
    return f"{rng.choice(vocab.PLAYLIST_MOODS)} {genre} picks, featuring {top[0]}."


def _extras(rng: random.Random, config, pid: str, length: int) -> tuple[Extra, ...]:
    """Local files, episodes and null items at positions in the full (mess-on) list."""
    extras: list[Extra] = []
    position = 0
    for _ in range(length + 1):
        while True:
            roll = rng.random()
            if roll < config.local_rate:
                extras.append(
                    Extra(
                        position=position,
                        kind="local",
                        name=f"{rng.choice(vocab.TITLE_WORDS)} (demo)",
                        artist_name=rng.choice(vocab.FIRST_NAMES)
                        + " "
                        + rng.choice(vocab.LAST_NAMES),
                        album_name="My Recordings",
                        duration_ms=rng.randint(60_000, 400_000),
                    )
                )
            elif roll < config.local_rate + config.episode_rate:
                extras.append(
                    Extra(
                        position=position,
                        kind="episode",
                        id=hashed_id("episode", pid, position),
                        name=f"Episode {rng.randint(1, 300)}: {rng.choice(vocab.TITLE_WORDS)}",
                        album_name=f"The {rng.choice(vocab.NOUNS)} Podcast",
                        duration_ms=rng.randint(600_000, 5_400_000),
                    )
                )
            elif roll < config.local_rate + config.episode_rate + config.null_item_rate:
                extras.append(Extra(position=position, kind="null"))
            else:
                break
            position += 1
        position += 1  # the real track's slot
    return tuple(extras)
