"""A seeded generator of Million-Playlist-Dataset-shaped playlists, for development and benchmarks.

Why: the real MPD cannot ship with the project, and the demo world is too clean (few
singletons, short playlists). This world is calibrated to the figures in DESIGN.md
("What real playlists look like") and keeps its latent truth, so benchmarks can rank by
the generator's own probabilities (an oracle ceiling) next to ALS and the baselines.

The latent structure: genres with heavy-tailed track popularity; artists belong to one
genre, albums to one artist, tracks to one album. A playlist mixes 1-3 genres, draws some
of its tracks from a few "focus" artists and a few from cross-genre hits. The catalogue
grows with the number of playlists (sub-linearly), so larger worlds have more tracks.
Everything is vectorised with numpy and drawn from ``numpy.random.default_rng``; each
block of playlists has its own stream, so a playlist never depends on how files are cut.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from tunegraph.datasets import synthetic_names as names

__all__ = ["MpdShape", "SyntheticMpd", "generate_mpd", "write_mpd_slices"]

_BLOCK = 1000  # playlists per random stream; fixed so slicing never changes content
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
    session_spread: float = 0.12  # how tightly a focus artist's tracks sit together
    genre_spread: float = 0.35  # how tightly a genre's tracks sit together (order drift)
    genre_counts: tuple[float, float, float] = (0.3, 0.4, 0.3)  # P(1, 2, 3 genres)
    lead_genre: float = 0.1  # extra weight of the first genre (the one that names it)
    length_quantiles: tuple[tuple[float, float], ...] = (
        (0.0, 5), (0.1, 19), (0.5, 80), (0.9, 192), (1.0, 250),
    )  # fmt: skip

    def validate(self) -> None:
        if self.playlists < 1:
            raise ValueError("at least 1 playlist is needed")
        if self.genres < 1 or self.tracks_at_10k < 100:
            raise ValueError("need at least 1 genre and 100 tracks")


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a stable uint64 hash of each value."""
    with np.errstate(over="ignore"):
        z = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _hash(seed: int, kind: str, idx: np.ndarray, salt: int = 0) -> np.ndarray:
    base = _mix(np.array([seed * 16 + _KIND[kind] * 4 + salt], np.uint64))[0]
    with np.errstate(over="ignore"):
        return _mix(idx.astype(np.uint64) ^ base)


def spotify_uris(seed: int, kind: str, idx: np.ndarray) -> list[str]:
    """``spotify:<kind>:<22 base62>`` for each index, stable for a seed."""
    digits = np.empty((len(idx), 22), np.uint8)
    for half in (0, 1):
        h = _hash(seed, kind, idx, salt=half + 1)
        for k in range(11):
            digits[:, half * 11 + k] = _BASE62[(h % np.uint64(62)).astype(np.int64)]
            h = h // np.uint64(62)
    prefix = f"spotify:{kind}:"
    return [prefix + s.decode() for s in digits.view("S22").ravel()]


class _Catalogue:
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
class _Latent:
    """Per-playlist truth: genre mixture, focus artists and shares, target length."""

    genres: np.ndarray  # [N, 3] genre ids (weight 0 where unused)
    genre_w: np.ndarray  # [N, 3]
    focus: np.ndarray  # [N, F] artist ids
    focus_w: np.ndarray  # [N, F] (rows sum to 1, or 0 without focus artists)
    focus_share: np.ndarray  # [N]
    hit_share: np.ndarray  # [N]
    length: np.ndarray  # [N]


def _latent(shape: MpdShape, cat: _Catalogue, rng: np.random.Generator) -> _Latent:
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
    return _Latent(genres, genre_w, focus, focus_w, share, hit, length)


class SyntheticMpd:
    """A generated world: its playlists (MPD slice format) and its latent truth."""

    def __init__(self, shape: MpdShape) -> None:
        shape.validate()
        self.shape = shape
        root = np.random.SeedSequence([shape.seed, 0x4D5044])
        self.catalogue = _Catalogue(shape, np.random.default_rng(root.spawn(1)[0]))
        lat_rng = np.random.default_rng(np.random.SeedSequence([shape.seed, 0x4C4154]))
        self.latent = _latent(shape, self.catalogue, lat_rng)
        self._rows: pd.DataFrame | None = None

    @property
    def n_tracks(self) -> int:
        """Size of the catalogue index that ``oracle_scores`` ranks over."""
        return self.catalogue.n_tracks

    def block_rows(self, block: int) -> tuple[np.ndarray, np.ndarray]:
        """(pid, catalogue track index) rows of one block of playlists, in playlist order.

        Draws are i.i.d. from each playlist's mixture; repeats are dropped and short
        playlists topped up from their genres. Then each focus artist's tracks are
        gathered around a random position (tracks get added in sessions), which is why an
        artist among the first five tracks is rarer later on than i.i.d. order would say.
        """
        lo = block * _BLOCK
        hi = min(lo + _BLOCK, self.shape.playlists)
        rng = np.random.default_rng(np.random.SeedSequence([self.shape.seed, 0x524F57, block]))
        lat, n_cat = self.latent, self.catalogue.n_tracks
        want = lat.length[lo:hi]
        owner = np.repeat(np.arange(lo, hi), (want * 1.6).astype(np.int64) + 8)
        tracks, slot = self._draw(owner, rng, focus=True)
        for round_ in range(6):
            key = owner * np.int64(n_cat) + tracks
            _, first = np.unique(key, return_index=True)
            first.sort()
            owner, tracks, slot = owner[first], tracks[first], slot[first]
            deficit = want - np.bincount(owner - lo, minlength=hi - lo)
            if (deficit <= 0).all() or round_ == 5:
                break  # a playlist of a tiny genre may stay a little short
            more = np.repeat(np.arange(lo, hi), np.maximum(deficit, 0) * 2)
            extra, extra_slot = self._draw(more, rng, focus=False)
            owner = np.concatenate([owner, more])
            tracks = np.concatenate([tracks, extra])
            slot = np.concatenate([slot, extra_slot])
            order = np.argsort(owner, kind="stable")
            owner, tracks, slot = owner[order], tracks[order], slot[order]
        starts = np.searchsorted(owner, np.arange(lo, hi))
        keep = np.arange(len(owner)) - starts[owner - lo] < lat.length[owner]
        owner, tracks, slot = owner[keep], tracks[keep], slot[keep]
        # sessions: a focus artist's tracks sit around one position of the playlist
        centre = rng.random((hi - lo, lat.focus.shape[1]))
        place = rng.random(len(owner))
        focus = slot >= 0
        place[focus] = centre[owner[focus] - lo, slot[focus]] + self.shape.session_spread * (
            rng.standard_normal(focus.sum())
        )
        # and genres drift: each genre of the mixture has its own stretch of the playlist
        genre = slot <= -2
        g_centre = rng.random((hi - lo, 3))
        place[genre] = g_centre[owner[genre] - lo, -2 - slot[genre]] + self.shape.genre_spread * (
            rng.standard_normal(genre.sum())
        )
        order = np.lexsort((place, owner))
        return owner[order], tracks[order]

    def _draw(
        self, owner: np.ndarray, rng: np.random.Generator, focus: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """One track per entry of ``owner`` from its playlist's mixture, and what drew it:
        the focus slot (>= 0), a hit (-1) or genre slot j (-2 - j)."""
        lat, cat = self.latent, self.catalogue
        n = len(owner)
        u, comp = rng.random(n), rng.random(n)
        is_focus = comp < lat.focus_share[owner] if focus else np.zeros(n, bool)
        is_hit = ~is_focus & (comp > 1.0 - lat.hit_share[owner])
        gslot = (lat.genre_w[owner].cumsum(1) < rng.random((n, 1))).sum(1)
        tracks = cat.draw(cat.genre_cum, lat.genres[owner, np.minimum(gslot, 2)], u)
        f_owner = owner[is_focus]
        fslot = (lat.focus_w[f_owner].cumsum(1) < rng.random((len(f_owner), 1))).sum(1)
        fslot = np.minimum(fslot, lat.focus.shape[1] - 1)
        tracks[is_focus] = cat.draw(cat.artist_cum, lat.focus[f_owner, fslot], u[is_focus])
        tracks[is_hit] = np.minimum(np.searchsorted(cat.hit_cum, u[is_hit]), cat.n_tracks - 1)
        slot = -2 - np.minimum(gslot, 2)  # genre draws: -2, -3, -4; hits: -1
        slot[is_hit] = -1
        slot[is_focus] = fslot
        return tracks, slot

    @property
    def n_blocks(self) -> int:
        return -(-self.shape.playlists // _BLOCK)

    def rows(self) -> pd.DataFrame:
        """Every (playlist_id, track_id, artist_id, pos) row as catalogue integers."""
        if self._rows is None:
            parts = [self.block_rows(b) for b in range(self.n_blocks)]
            pid = np.concatenate([p for p, _ in parts]).astype(np.int32)
            track = np.concatenate([t for _, t in parts]).astype(np.int32)
            starts = np.searchsorted(pid, pid, side="left")
            self._rows = pd.DataFrame(
                {
                    "playlist_id": pid,
                    "track_id": track,
                    "artist_id": self.catalogue.track_artist[track].astype(np.int32),
                    "pos": (np.arange(len(pid)) - starts).astype(np.int32),
                }
            )
        return self._rows

    def oracle_scores(self, pid: int) -> np.ndarray:
        """The generator's probability of each catalogue track being drawn for ``pid``.

        Index i is catalogue track i (``track_uris`` names them); ranking by it is what an
        oracle that knows the playlist's genres and focus artists would do.
        """
        cat, lat = self.catalogue, self.latent
        gw = np.zeros(self.shape.genres)
        np.add.at(gw, lat.genres[pid], lat.genre_w[pid])
        share, hit = lat.focus_share[pid], lat.hit_share[pid]
        scores = (1.0 - share - hit) * gw[cat.track_genre] * cat.p_genre + hit * cat.p_hit
        for a, w in zip(lat.focus[pid], lat.focus_w[pid], strict=True):
            if w > 0:
                lo, hi = cat.artist_start[a], cat.artist_start[a + 1]
                scores[lo:hi] += share * w * cat.p_artist[lo:hi]
        return scores

    def track_uris(self, idx: np.ndarray) -> list[str]:
        return spotify_uris(self.shape.seed, "track", np.asarray(idx))

    def iter_playlists(self) -> Iterator[dict]:
        """Every playlist as an MPD slice record, generated block by block."""
        for block in range(self.n_blocks):
            yield from self._block_records(block)

    @cached_property
    def playlists(self) -> list[dict]:
        """All playlists as MPD records (for small worlds; large ones use iter_playlists)."""
        return list(self.iter_playlists())

    def _block_records(self, block: int) -> list[dict]:
        """The MPD records of one block: names and URIs made once per distinct track."""
        pid, tracks = self.block_rows(block)
        cat, seed = self.catalogue, self.shape.seed
        uniq, inv = np.unique(tracks, return_inverse=True)
        albums, artists = cat.track_album[uniq], cat.track_artist[uniq]
        cols = (
            ("artist_name", names.artist_names(_hash(seed, "name", artists, 2))),
            ("artist_uri", spotify_uris(seed, "artist", artists)),
            ("track_name", names.title_names(_hash(seed, "name", uniq, 1))),
            ("track_uri", self.track_uris(uniq)),
            ("album_name", names.title_names(_hash(seed, "name", albums, 3), album=True)),
            ("album_uri", spotify_uris(seed, "album", albums)),
        )
        h = _hash(seed, "track", uniq, 3)
        duration = (150_000 + (h % np.uint64(150_000)).astype(np.int64)).tolist()
        entries = [
            dict(zip([k for k, _ in cols], vals, strict=True))
            for vals in zip(*[v for _, v in cols], strict=True)
        ]
        for e, d in zip(entries, duration, strict=True):
            e["duration_ms"] = d
        lo = block * _BLOCK
        hi = min(lo + _BLOCK, self.shape.playlists)
        bounds = np.searchsorted(pid, np.arange(lo, hi + 1)).tolist()
        rng = np.random.default_rng(np.random.SeedSequence([seed, 0x4E414D, block]))
        inv, albums, artists = inv.tolist(), albums.tolist(), artists.tolist()
        out = []
        for j, p in enumerate(range(lo, hi)):
            idx = inv[bounds[j] : bounds[j + 1]]
            name, description = names.playlist_name(rng, int(self.latent.genres[p, 0]))
            record = {
                "name": name,
                "collaborative": "true" if rng.random() < 0.02 else "false",
                "pid": p,
                "modified_at": int(1_300_000_000 + 210_000_000 * rng.random() ** 0.5),
                "num_tracks": len(idx),
                "num_albums": len({albums[i] for i in idx}),
                "num_followers": int(rng.zipf(2.2)) if rng.random() < 0.3 else 1,
                "tracks": [{"pos": pos, **entries[i]} for pos, i in enumerate(idx)],
                "num_edits": int(1 + rng.poisson(1 + len(idx) / 12)),
                "duration_ms": sum(duration[i] for i in idx),
                "num_artists": len({artists[i] for i in idx}),
            }
            if description is not None:
                record["description"] = description
            out.append(record)
        return out


def generate_mpd(shape: MpdShape) -> SyntheticMpd:
    """A generated world (playlist records are made lazily, block by block)."""
    return SyntheticMpd(shape)


def write_mpd_slices(
    folder: str | PathLike[str],
    shape: MpdShape,
    per_slice: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> list[Path]:
    """Write ``mpd.slice.A-B.json`` files of ``per_slice`` playlists; one block in memory at a time.

    ``progress`` is called with the number of playlists written so far.
    """
    if per_slice < 1:
        raise ValueError("per_slice must be at least 1")
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out}: not a folder")
    out.mkdir(parents=True, exist_ok=True)
    world = generate_mpd(shape)
    paths: list[Path] = []
    records = world.iter_playlists()
    for lo in range(0, shape.playlists, per_slice):
        hi = min(lo + per_slice, shape.playlists)
        path = out / f"mpd.slice.{lo}-{hi - 1}.json"
        info = {"generated_on": "synthetic", "slice": f"{lo}-{hi - 1}", "version": "v1",
                "generator": "tunegraph.datasets.synthetic_mpd", "seed": shape.seed}  # fmt: skip
        with open(path, "w", encoding="utf-8") as fh:
            fh.write('{"info": ' + json.dumps(info) + ', "playlists": [\n')
            for p in range(lo, hi):
                fh.write(("" if p == lo else ",\n") + json.dumps(next(records), ensure_ascii=False))
            fh.write("\n]}\n")
        paths.append(path)
        if progress is not None:
            progress(hi)
    return paths
