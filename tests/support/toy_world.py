"""A structured playlist world generated in memory: genres, artists, popular and rare tracks.

Playlists draw most tracks from one or two genres (popularity-weighted within the
genre), a few from the whole catalogue, so there is signal a model can learn and a
popularity baseline cannot fully exploit. Used by the model tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tunegraph.export_format import AUDIO_FEATURES


@dataclass(frozen=True)
class ToyWorld:
    playlists: dict[str, list[str]]
    tracks_meta: dict[str, dict[str, Any]]
    genre_of_track: dict[str, int]
    genre_of_playlist: dict[str, int]


def genre_world(
    playlists: int = 200,
    tracks: int = 400,
    genres: int = 8,
    artists_per_genre: int = 10,
    length: tuple[int, int] = (10, 40),
    noise: float = 0.1,
    audio_share: float = 0.7,
    popularity: bool = True,
    seed: int = 0,
) -> ToyWorld:
    rng = np.random.default_rng(seed)
    track_ids = [f"t{i:06d}" for i in range(tracks)]
    genre = rng.integers(0, genres, size=tracks)
    by_genre = [np.flatnonzero(genre == g) for g in range(genres)]
    # Zipf-like popularity inside each genre and overall
    weight = 1.0 / (1.0 + rng.permutation(tracks)) ** 0.8
    centroids = rng.normal(size=(genres, len(AUDIO_FEATURES)))
    meta: dict[str, dict[str, Any]] = {}
    for i, tid in enumerate(track_ids):
        g = int(genre[i])
        artist = f"ar{g:03d}-{int(rng.integers(artists_per_genre)):03d}"
        m: dict[str, Any] = {
            "name": f"Song {i}",
            "artist_ids": [artist],
            "artist_names": [f"Artist {artist}"],
            "album_id": f"al{artist}",
        }
        if popularity:
            m["popularity"] = float(
                min(100.0, 100.0 * weight[i] / weight.max() + rng.uniform(0, 5))
            )
        if rng.random() < audio_share:
            values = centroids[g] + 0.3 * rng.normal(size=len(AUDIO_FEATURES))
            m.update({name: float(v) for name, v in zip(AUDIO_FEATURES, values, strict=True)})
        meta[tid] = m
    out: dict[str, list[str]] = {}
    genre_of_playlist: dict[str, int] = {}
    global_p = weight / weight.sum()
    for p in range(playlists):
        pid = f"p{p:06d}"
        g = int(rng.integers(genres))
        n = int(rng.integers(length[0], length[1] + 1))
        pool = by_genre[g]
        p_in = weight[pool] / weight[pool].sum()
        n_noise = int(rng.binomial(n, noise))
        n_in = min(n - n_noise, len(pool))
        chosen = list(rng.choice(pool, n_in, replace=False, p=p_in))
        chosen += list(rng.choice(tracks, n_noise, replace=False, p=global_p))
        order = list(dict.fromkeys(int(c) for c in chosen))
        rng.shuffle(order)
        out[pid] = [track_ids[c] for c in order]
        genre_of_playlist[pid] = g
    return ToyWorld(
        out, meta, {t: int(genre[i]) for i, t in enumerate(track_ids)}, genre_of_playlist
    )
