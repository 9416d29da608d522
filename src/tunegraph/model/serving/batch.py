"""Batch recommendation: k tracks for each of many playlists, written to one file.

The requests (every playlist the model knows, or a file of ids, a RecSys 2018 challenge
set, an MPD slice or JSON lines) are resolved to seed track indices and titles, answered
in chunks by ``Recommender.recommend_lists`` (one model call per chunk, not per
playlist), topped up with the most popular training tracks where the model returns
fewer than k, and streamed to CSV, Parquet or a challenge submission file.

Per-playlist problems (an unknown playlist id, unknown seed tracks) become warnings
that name the playlist; only a problem with the whole file is an exception.
A playlist with a title but no known track is still answered: the model gets the title
and an empty seed, and popularity fills what it cannot.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tunegraph.ids import MPD_PREFIX
from tunegraph.model.errors import UnknownIdError
from tunegraph.model.pipeline.artifacts import LoadedModel, load_model
from tunegraph.model.serving.batch_io import (
    RawRequest,
    ResultWriter,
    check_submission,
    check_team,
    gzipped,
    output_format,
    read_requests,
)
from tunegraph.model.serving.lookups import Lookups
from tunegraph.output_file import check_output_file, publish_file

ProgressCallback = Callable[[int, int], None]  # playlists done, playlists in all
CHUNK = 1000


@dataclass
class BatchSettings:
    """What ``tunegraph recommend --all | --playlists`` can set."""

    model_dir: Path
    out: Path
    playlists_file: Path | None = None  # None: every playlist the model knows
    k: int = 500
    out_format: str = "auto"  # auto | csv | parquet | recsys2018
    team: str = "tunegraph"
    email: str = "tunegraph@example.com"
    chunk: int = CHUNK
    threads: int | None = None


@dataclass
class BatchResult:
    out: Path
    out_format: str
    playlists: int  # answered
    k: int
    warnings: list[str] = field(default_factory=list)
    short: int = 0  # lists with fewer than k tracks (the catalogue is too small)
    model_seconds: float = 0.0  # recommend_lists
    top_up_seconds: float = 0.0
    io_seconds: float = 0.0  # reading requests and writing results
    seconds: float = 0.0  # everything after the model was loaded


@dataclass
class Requests:
    """Resolved requests, aligned: output ids, titles, seed track indices."""

    ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    seeds: list[np.ndarray] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)


def known_requests(model: LoadedModel) -> Requests:
    """Every playlist the model knows, queried by its own title and tracks."""
    names = model.playlist_names or [""] * len(model.playlist_ids)
    seeds = [model.playlists.row(i) for i in range(len(model.playlist_ids))]
    return Requests(list(model.playlist_ids), list(names), seeds)


def resolve(raw: Sequence[RawRequest], model: LoadedModel, warnings: list[str]) -> Requests:
    """Map requests to seed indices. A pid whose ``mpd:<pid>`` the model knows (an imported
    MPD playlist) adds that playlist's tracks to the seed and its title if the file has
    none; the output keeps the id as the file gives it."""
    lookups = Lookups(model)
    rows = lookups.playlist_row
    names = model.playlist_names or [""] * len(model.playlist_ids)
    out = Requests()
    seen: set[str] = set()
    for req in raw:
        pid = req.playlist_id
        if pid in seen:
            warnings.append(f"playlist {pid}: listed more than once; answered once")
            continue
        row = lookups.find_playlist(pid)
        if row is None and pid.isdigit():
            row = rows.get(MPD_PREFIX + pid)
        if req.listed and row is None:
            warnings.append(f"playlist {pid}: not a playlist the model knows; skipped")
            continue
        seen.add(pid)
        given = lookups.tracks(req.tracks)
        unknown = given.count(0)
        if unknown and (unknown < len(given) or row is not None):
            warnings.append(
                f"playlist {pid}: {unknown} of its {len(given)} tracks unknown to the model;"
                " left out of the query"
            )
        elif unknown:
            warnings.append(
                f"playlist {pid}: none of its {unknown} tracks is known to the model;"
                + (" answered from its title" if req.name else " answered by popularity alone")
            )
        elif row is None and not given and not req.name:
            warnings.append(f"playlist {pid}: no tracks and no title; answered by popularity")
        seed = [t for t in given if t]
        if row is not None:
            seed.extend(model.playlists.row(row).tolist())
        out.ids.append(pid)
        out.names.append(req.name or (names[row] if row is not None else ""))
        out.seeds.append(np.fromiter(dict.fromkeys(seed), np.int32, count=-1))
    return out


def popularity_order(model: LoadedModel) -> np.ndarray:
    """Track indices 1..T, most training playlists first (ties by index): the top-up."""
    counts = np.asarray(model.recommender.train.counts, np.float64)[1:]
    return (np.argsort(-counts, kind="stable") + 1).astype(np.int64)


def top_up(
    lists: np.ndarray, seeds: Sequence[np.ndarray], popular: np.ndarray, k: int
) -> np.ndarray:
    """[Q, k] lists with the model's picks first (seeds, duplicates and bad indices dropped)
    and the most popular tracks that are in neither the list nor the seed after them.

    Vectorised over the chunk: a playlist needs at most k + |seed| popular candidates.
    """
    q, n_tracks = len(seeds), len(popular)
    base = n_tracks + 1
    out = np.zeros((q, k), np.int64)
    width = min(k, lists.shape[1]) if lists.ndim == 2 else 0
    out[:, :width] = lists[:, :width]
    out[(out < 0) | (out > n_tracks)] = 0
    lengths = np.array([len(s) for s in seeds], np.int64)
    seed_rows = np.repeat(np.arange(q, dtype=np.int64), lengths)
    seed_flat = np.concatenate(seeds).astype(np.int64) if q else np.zeros(0, np.int64)
    keys = np.arange(q, dtype=np.int64)[:, None] * base + out
    valid = (out > 0) & ~np.isin(keys, seed_rows * base + seed_flat)
    first = np.zeros(keys.size, bool)
    first[np.unique(keys.ravel(), return_index=True)[1]] = True
    valid &= first.reshape(keys.shape)
    order = np.argsort(~valid, axis=1, kind="stable")  # keep the model's order, gaps last
    out = np.take_along_axis(np.where(valid, out, 0), order, axis=1)
    have = valid.sum(axis=1)
    todo = np.flatnonzero(have < k)
    if len(todo) == 0:
        return out.astype(np.int32)
    cand = popular[: min(n_tracks, k + int(lengths[todo].max()))]
    pos = np.full(base, -1, np.int64)
    pos[cand] = np.arange(len(cand))
    taken = np.zeros((len(todo), len(cand)), bool)
    sub = out[todo]
    p = pos[sub]
    r, c = np.nonzero((sub > 0) & (p >= 0))
    taken[r, p[r, c]] = True
    where = np.full(q, -1, np.int64)
    where[todo] = np.arange(len(todo))
    s_row = where[seed_rows]
    s_pos = pos[seed_flat]
    hit = (s_row >= 0) & (s_pos >= 0)
    taken[s_row[hit], s_pos[hit]] = True
    free = ~taken
    nth = np.cumsum(free, axis=1)
    r, c = np.nonzero(free & (nth <= (k - have[todo])[:, None]))
    out[todo[r], have[todo][r] + nth[r, c] - 1] = cand[c]
    return out.astype(np.int32)


def recommend_batch(
    settings: BatchSettings,
    loaded: LoadedModel | None = None,
    on_progress: ProgressCallback | None = None,
) -> BatchResult:
    """Answer every request and write the result file (atomically); see the module doc."""
    from tunegraph.model._tf import configure_threads

    if settings.k < 1:
        raise UnknownIdError("k must be at least 1")
    # every mistake in the files and options is told before the model loads (seconds)
    fmt = output_format(Path(settings.out), settings.out_format)
    check_output_file(settings.out, inputs=[settings.playlists_file])
    if fmt == "recsys2018":
        check_team(settings.team, settings.email)
    start = time.perf_counter()
    raw = None if settings.playlists_file is None else read_requests(Path(settings.playlists_file))
    read_seconds = time.perf_counter() - start
    configure_threads(settings.threads)
    model = loaded or load_model(settings.model_dir)
    start = time.perf_counter()
    warnings: list[str] = []
    requests = known_requests(model) if raw is None else resolve(raw, model, warnings)
    if fmt == "recsys2018":
        check_submission(requests.ids)
    read_seconds += time.perf_counter() - start
    result = BatchResult(Path(settings.out), fmt, len(requests), settings.k, warnings)
    result.io_seconds = read_seconds
    popular = popularity_order(model)
    rec, k, step = model.recommender, settings.k, max(1, settings.chunk)
    with publish_file(Path(settings.out), inputs=[settings.playlists_file]) as tmp:
        writer = ResultWriter(
            tmp, fmt, model.tracks.ids, settings.team, settings.email, gzipped(settings.out)
        )
        try:
            for lo in range(0, len(requests), step):
                seeds = requests.seeds[lo : lo + step]
                t0 = time.perf_counter()
                lists = rec.recommend_lists(seeds, requests.names[lo : lo + step], k)
                for row in np.flatnonzero(~np.asarray(lists).any(axis=1)):
                    warnings.append(
                        f"playlist {requests.ids[lo + row]}: the model knows none of its tracks"
                        " nor a word of its title; answered by popularity"
                    )
                t1 = time.perf_counter()
                lists = top_up(np.asarray(lists), seeds, popular, k)
                t2 = time.perf_counter()
                writer.write(requests.ids[lo : lo + step], lists)
                result.short += int((lists[:, -1] == 0).sum())
                result.model_seconds += t1 - t0
                result.top_up_seconds += t2 - t1
                result.io_seconds += time.perf_counter() - t2
                if on_progress:
                    on_progress(min(lo + step, len(requests)), len(requests))
        finally:
            t3 = time.perf_counter()
            writer.close()
            result.io_seconds += time.perf_counter() - t3
    if result.short:
        warnings.append(
            f"{result.short} playlist(s) got fewer than {k} tracks: the model knows only"
            f" {len(model.tracks.ids)} tracks"
        )
    result.seconds = time.perf_counter() - start
    return result
