"""A seeded generator of Million-Playlist-Dataset-shaped playlists, for development and benchmarks.

Why: the real MPD cannot ship with the project, and the demo world is too clean (few
singletons, short playlists). This world is calibrated to the real MPD's figures
(``shape_stats.REAL_MPD``; docs/guide.md's table shows both) and keeps its latent truth, so
benchmarks can rank by the generator's own probabilities (an oracle ceiling) next to ALS
and the baselines.

The latent structure lives in ``synthetic_catalogue``. A playlist draws its tracks from
its genres, a few "focus" artists and cross-genre hits, and many genre draws are a fixed
companion of the track drawn before (co-listening that neither genres nor artists explain:
it is what lets item co-occurrence stand to ALS as it does on real playlists). The
catalogue grows with the number of playlists (sub-linearly), so larger worlds have more
tracks.
Everything is vectorised with numpy and drawn from ``numpy.random.default_rng``; each
block of playlists has its own stream, so a playlist never depends on how files are cut.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cached_property
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from tunegraph.datasets import synthetic_names as names
from tunegraph.datasets.synthetic_catalogue import (
    Catalogue,
    MpdShape,
    draw_latent,
    spotify_uris,
    stable_hash,
)
from tunegraph.errors import SettingsError

__all__ = ["MpdShape", "SyntheticMpd", "generate_mpd", "write_mpd_slices"]

_BLOCK = 1000  # playlists per random stream; fixed so slicing never changes content


class SyntheticMpd:
    """A generated world: its playlists (MPD slice format) and its latent truth."""

    def __init__(self, shape: MpdShape) -> None:
        shape.validate()
        self.shape = shape
        root = np.random.SeedSequence([shape.seed, 0x4D5044])
        self.catalogue = Catalogue(shape, np.random.default_rng(root.spawn(1)[0]))
        lat_rng = np.random.default_rng(np.random.SeedSequence([shape.seed, 0x4C4154]))
        self.latent = draw_latent(shape, self.catalogue, lat_rng)
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
        share = self.shape.companion_share
        if share > 0:  # a genre draw becomes a companion of the playlist's previous draw
            follows = np.r_[False, owner[1:] == owner[:-1]] & (slot <= -2)
            follows &= rng.random(n) < share
            src = np.flatnonzero(follows) - 1
            pick = rng.integers(cat.companions.shape[1], size=len(src))
            tracks[follows] = cat.companions[tracks[src], pick]
            slot[follows] = slot[src]
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
        rest = 1.0 - share - hit
        genre = gw[cat.track_genre] * cat.p_genre
        mix = rest * genre
        for a, w in zip(lat.focus[pid], lat.focus_w[pid], strict=True):
            if w > 0:
                lo, hi = cat.artist_start[a], cat.artist_start[a + 1]
                mix[lo:hi] += share * w * cat.p_artist[lo:hi]
        scores = mix + hit * cat.p_hit
        c = self.shape.companion_share
        if c > 0:  # a genre draw may be a companion of a draw from the whole mixture
            spread = self._spread(mix) + hit * self._hit_spread
            scores += c * rest * (spread - genre)
        return scores

    def _spread(self, p: np.ndarray) -> np.ndarray:
        """Where a companion of a draw from ``p`` lands (each companion equally likely)."""
        some = np.flatnonzero(p)
        k = self.catalogue.companions.shape[1]
        return np.bincount(
            self.catalogue.companions[some].ravel(), np.repeat(p[some] / k, k), len(p)
        )

    @cached_property
    def _hit_spread(self) -> np.ndarray:
        return self._spread(self.catalogue.p_hit)

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
            ("artist_name", names.artist_names(stable_hash(seed, "name", artists, 2))),
            ("artist_uri", spotify_uris(seed, "artist", artists)),
            ("track_name", names.title_names(stable_hash(seed, "name", uniq, 1))),
            ("track_uri", self.track_uris(uniq)),
            ("album_name", names.title_names(stable_hash(seed, "name", albums, 3), album=True)),
            ("album_uri", spotify_uris(seed, "album", albums)),
        )
        h = stable_hash(seed, "track", uniq, 3)
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
        raise SettingsError("per_slice must be at least 1")
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise SettingsError(f"{out}: not a folder")
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
