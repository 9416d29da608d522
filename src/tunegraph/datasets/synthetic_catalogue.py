"""The latent world behind the MPD-shaped generator, and its stable Spotify-like ids.

Genres with heavy-tailed track popularity; artists belong to one genre, albums to one
artist, tracks to one album (the ``Catalogue``). Each playlist mixes 1-3 genres, a few
"focus" artists and some cross-genre hits (its ``Latent`` truth). ``synthetic_mpd``
draws the playlists from this and writes them as MPD slices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tunegraph.errors import SettingsError

__all__ = ["Catalogue", "Latent", "MpdShape", "draw_latent", "spotify_uris", "stable_hash"]

_BASE62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", np.uint8)
_KIND = {"track": 1, "album": 2, "artist": 3, "name": 4}


@dataclass(frozen=True)
class MpdShape:
    """Sizes and knobs of a generated world; the defaults are the calibrated ones."""

    playlists: int = 10_000
    seed: int = 2018
    genres: int = 100  # latent genres; names come from synthetic_names.GENRE_NAMES cyclically
    genre_zipf: float = 0.8  # how unequal genre popularity is
    tracks_at_10k: int = 1_300_000  # catalogue size for 10,000 playlists
    catalogue_growth: float = 0.2  # catalogue ~ playlists ** growth above 10,000 playlists
    small_growth: float = 0.6  # and below, so that small worlds keep the long-tail shares
    tracks_per_album: float = 6.0
    albums_per_artist: float = 4.0
    artist_tail: float = 1.1  # Pareto shape of artist popularity (smaller: heavier tail)
    track_sigma: float = 1.2  # log-normal spread of track popularity within an album
    focus_share: float = 0.5  # mean share of a playlist drawn from its focus artists
    focus_artists: float = 2.5  # mean number of focus artists
    hit_share: float = 0.03  # share drawn from cross-genre hits
    # co-listening beyond genres and artists: a genre draw is, this often, a companion of the
    # playlist's previous draw (each track has a few fixed ones). Without it item
    # co-occurrence sat at 0.69x ALS on the world against 0.82x on real playlists (issue 19)
    companion_share: float = 0.6
    companions: int = 2  # companions per track: same genre, drawn by popularity
    session_spread: float = 0.12  # how tightly a focus artist's tracks sit together
    genre_spread: float = 0.35  # how tightly a genre's tracks sit together (order drift)
    genre_counts: tuple[float, float, float] = (0.3, 0.4, 0.3)  # P(1, 2, 3 genres)
    lead_genre: float = 0.1  # extra weight of the first genre (the one that names it)
    length_quantiles: tuple[tuple[float, float], ...] = (
        (0.0, 5), (0.1, 19), (0.5, 80), (0.9, 192), (1.0, 250),
    )  # fmt: skip

    def validate(self) -> None:
        if self.playlists < 1:
            raise SettingsError("at least 1 playlist is needed")
        if self.genres < 1 or self.tracks_at_10k < 100:
            raise SettingsError("need at least 1 genre and 100 tracks")


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a stable uint64 hash of each value."""
    with np.errstate(over="ignore"):
        z = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def stable_hash(seed: int, kind: str, idx: np.ndarray, salt: int = 0) -> np.ndarray:
    base = _mix(np.array([seed * 16 + _KIND[kind] * 4 + salt], np.uint64))[0]
    with np.errstate(over="ignore"):
        return _mix(idx.astype(np.uint64) ^ base)


def spotify_uris(seed: int, kind: str, idx: np.ndarray) -> list[str]:
    """``spotify:<kind>:<22 base62>`` for each index, stable for a seed."""
    digits = np.empty((len(idx), 22), np.uint8)
    for half in (0, 1):
        h = stable_hash(seed, kind, idx, salt=half + 1)
        for k in range(11):
            digits[:, half * 11 + k] = _BASE62[(h % np.uint64(62)).astype(np.int64)]
            h = h // np.uint64(62)
    prefix = f"spotify:{kind}:"
    return [prefix + s.decode() for s in digits.view("S22").ravel()]


class Catalogue:
    """Tracks sorted by (genre, artist, album); per-group cumulative weights for sampling."""

    def __init__(self, shape: MpdShape, rng: np.random.Generator) -> None:
        s = shape
        scale = s.playlists / 10_000
        size = s.tracks_at_10k * scale ** (s.catalogue_growth if scale >= 1 else s.small_growth)
        g = s.genres
        genre_pop = 1.0 / np.arange(1, g + 1) ** s.genre_zipf
        self.genre_pop = genre_pop / genre_pop.sum()
        n_artists = max(g, int(size / (s.tracks_per_album * s.albums_per_artist)))
        share = np.sqrt(self.genre_pop) / np.sqrt(self.genre_pop).sum()
        per_genre = np.maximum(1, rng.multinomial(n_artists - g, share) + 1)
        self.artist_genre = np.repeat(np.arange(g), per_genre)
        a = len(self.artist_genre)
        self.artist_weight = rng.pareto(s.artist_tail, a) + 1.0
        albums = 1 + rng.poisson(s.albums_per_artist - 1, a)
        album_artist = np.repeat(np.arange(a), albums)
        per_album = 1 + rng.poisson(s.tracks_per_album - 1, len(album_artist))
        self.track_album = np.repeat(np.arange(len(album_artist)), per_album)
        self.track_artist = album_artist[self.track_album]
        self.track_genre = self.artist_genre[self.track_artist]
        t = len(self.track_album)
        album_w = rng.lognormal(0.0, 0.8, len(album_artist))
        w = self.artist_weight[self.track_artist] * album_w[self.track_album]
        self.track_weight = w * rng.lognormal(0.0, s.track_sigma, t)
        self.p_genre = (
            self.track_weight / np.bincount(self.track_genre, self.track_weight)[self.track_genre]
        )
        self.p_artist = (
            self.track_weight
            / np.bincount(self.track_artist, self.track_weight, a)[self.track_artist]
        )
        hits = self.track_weight**1.5 * self.genre_pop[self.track_genre]
        self.p_hit = hits / hits.sum()
        self.genre_cum = self._grouped_cum(self.track_genre, self.p_genre)
        self.artist_cum = self._grouped_cum(self.track_artist, self.p_artist)
        self.hit_cum = np.cumsum(self.p_hit)
        self.artist_start = np.searchsorted(self.track_artist, np.arange(a + 1))
        # focus artists are picked within a genre, sub-linearly in popularity
        self.focus_p = self.artist_weight**0.7
        self.focus_p /= np.bincount(self.artist_genre, self.focus_p)[self.artist_genre]
        self.focus_cum = self._grouped_cum(self.artist_genre, self.focus_p)
        self.n_tracks, self.n_artists, self.n_albums = t, a, len(album_artist)
        # co-listening: each track has a few fixed companions of its genre, by popularity;
        # drawn last, so the rest of the catalogue does not depend on it
        self.companions = self.draw(
            self.genre_cum,
            np.repeat(self.track_genre, s.companions).reshape(t, s.companions),
            rng.random((t, s.companions)),
        ).astype(np.int32)

    @staticmethod
    def _grouped_cum(group: np.ndarray, p: np.ndarray) -> np.ndarray:
        """group + cumulative p within the group: one sorted array samples every group."""
        cum = np.cumsum(p)
        start = np.searchsorted(group, group, side="left")
        before = np.concatenate([[0.0], cum])[start]
        return group + np.minimum(cum - before, 1.0 - 1e-12)

    def draw(self, cum: np.ndarray, group: np.ndarray, u: np.ndarray) -> np.ndarray:
        return np.minimum(np.searchsorted(cum, group + u), len(cum) - 1)


@dataclass(frozen=True)
class Latent:
    """Per-playlist truth: genre mixture, focus artists and shares, target length."""

    genres: np.ndarray  # [N, 3] genre ids (weight 0 where unused)
    genre_w: np.ndarray  # [N, 3]
    focus: np.ndarray  # [N, F] artist ids
    focus_w: np.ndarray  # [N, F] (rows sum to 1, or 0 without focus artists)
    focus_share: np.ndarray  # [N]
    hit_share: np.ndarray  # [N]
    length: np.ndarray  # [N]


def draw_latent(shape: MpdShape, cat: Catalogue, rng: np.random.Generator) -> Latent:
    n, s = shape.playlists, shape
    k = rng.choice(3, n, p=list(s.genre_counts)) + 1
    genres = rng.choice(s.genres, (n, 3), p=cat.genre_pop)
    genre_w = rng.dirichlet(np.ones(3), n) * (np.arange(3) < k[:, None])
    genre_w[:, 0] += s.lead_genre * (k > 1)  # the first genre dominates (it names the playlist)
    genre_w /= genre_w.sum(1, keepdims=True)
    f_max = 6
    n_focus = np.minimum(rng.poisson(s.focus_artists, n), f_max)
    slot = (genre_w.cumsum(1)[:, None, :] < rng.random((n, f_max, 1))).sum(2)
    fg = np.take_along_axis(genres, np.minimum(slot, 2), 1)
    focus = cat.draw(cat.focus_cum, fg, rng.random((n, f_max)))
    focus_w = rng.dirichlet(np.full(f_max, 0.7), n) * (np.arange(f_max) < n_focus[:, None])
    total = focus_w.sum(1, keepdims=True)
    focus_w = np.divide(focus_w, total, out=np.zeros_like(focus_w), where=total > 0)
    share = rng.beta(1.2, 1.2 / s.focus_share - 1.2, n) * (n_focus > 0)
    q, v = np.array(s.length_quantiles, float).T
    length = np.round(np.exp(np.interp(rng.random(n), q, np.log(v)))).astype(np.int64)
    hit = np.full(n, s.hit_share)
    return Latent(genres, genre_w, focus, focus_w, share, hit, length)
