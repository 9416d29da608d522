"""What both MPD import paths share: slice files, their checks, a parsing pool, results.

The transactional import (``transactional``) and the bulk staging (``staging``) read the
same slice files the same way: ``expand_paths`` names them, ``checked_playlists`` reads
one with the checks that span its records, and a ``SlicePool`` works on them in worker
processes while the caller consumes the results in file order. A bad file becomes a
``FileResult`` with an error, never an exception, so the other files go on.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, TypeVar

from tunegraph.datasets.mpd import (
    MpdFormatError,
    MpdPlaylist,
    MpdTrack,
    find_slice_files,
    read_slice,
)

MPD_SOURCE = "mpd"

T = TypeVar("T")


def mpd_playlist_id(pid: int) -> str:
    """The graph id of an MPD playlist: MPD pids are not Spotify ids, so they get a prefix."""
    return f"mpd:{pid}"


def slice_identity(path: Path | str) -> str:
    """The file a playlist came from, as stored on it (``mpd_file``): the resolved path,
    so ``data/x.json`` and ``/abs/data/x.json`` are one file, another folder's is not."""
    return str(Path(path).resolve())


def duplicate_message(pid: int, path: Path | str, first: str) -> str:
    """The one line both import paths give a pid that another file imported first."""
    return f"{path}: pid {pid} is already imported from {first}; this copy is left out"


def playlist_properties(playlist: MpdPlaylist, file: str) -> dict[str, Any]:
    """An MPD playlist node's properties, in the bulk path's column order (None: absent)."""
    return {
        "name": playlist.name,
        "description": playlist.description,
        "followers": playlist.num_followers,
        "modified_at": playlist.modified_at,
        "collaborative": playlist.collaborative,
        "pid": playlist.pid,
        "source": MPD_SOURCE,
        "mpd_file": file,
    }


# A track with its (first) artist and album, as both paths write it.
TrackRow = tuple[str, str, int, str, str, str, str]
TRACK_ROW_KEYS = ("id", "name", "duration_ms", "artist_id", "artist_name", "album_id", "album_name")


def track_row(track: MpdTrack) -> TrackRow:
    return (
        track.track_id, track.track_name, track.duration_ms, track.artist_id,
        track.artist_name, track.album_id, track.album_name,
    )  # fmt: skip


def file_key(path: Path) -> str:
    """The ImportFile id: the slice's name, the same for ``x.json`` and ``x.json.gz``."""
    name = path.name
    return name[: -len(".gz")] if name.endswith(".gz") else name


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def expand_paths(paths: Iterable[str | PathLike[str]]) -> list[Path]:
    """Every slice file named by ``paths`` (files, or folders of ``mpd.slice.*``), in order."""
    files: list[Path] = []
    seen: set[Path] = set()
    for p in paths:
        for f in find_slice_files(p):
            if f.resolve() not in seen:
                seen.add(f.resolve())
                files.append(f)
    if not files:
        raise MpdFormatError("no MPD slice files given")
    return files


def checked_playlists(path: Path) -> Iterator[MpdPlaylist]:
    """The slice's playlists, with the checks across records that the graph relies on:
    each pid once in the slice, each position once in a playlist."""
    pids: set[int] = set()
    for playlist in read_slice(path):
        if playlist.pid in pids:
            raise MpdFormatError(f"{path}: pid {playlist.pid} appears twice")
        pids.add(playlist.pid)
        if len({track.pos for track in playlist.tracks}) != len(playlist.tracks):
            raise MpdFormatError(f"{path}: pid {playlist.pid}: two tracks share a 'pos'")
        yield playlist


def read_error(path: Path | str, exc: OSError) -> str:
    """The one-line reason of a slice that could not be read at all."""
    return f"{path}: cannot read: {exc.strerror or exc}"


class SlicePool(Generic[T]):
    """Works on slice files in ``workers`` processes (one thread for 1), results in order.

    At most ``workers + 1`` slices are in flight or held by the caller, so memory is
    bounded whatever the number of files; the next slices are parsed while the caller
    writes the current one.
    """

    def __init__(self, workers: int) -> None:
        self.lookahead = workers + 1
        self.pool: Executor = (
            ProcessPoolExecutor(workers)
            if workers > 1
            else ThreadPoolExecutor(1, thread_name_prefix="mpd-parse")
        )

    def in_order(
        self, work: Callable[..., T], jobs: Iterable[tuple[Any, ...]]
    ) -> Iterator[Future[T]]:
        """``work(*job)`` for every job, as futures in job order."""
        pending: list[Future[T]] = []
        queue = iter(jobs)
        while True:
            while len(pending) < self.lookahead and (job := next(queue, None)) is not None:
                pending.append(self.pool.submit(work, *job))
            if not pending:
                return
            yield pending.pop(0)

    def __enter__(self) -> SlicePool[T]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class FileResult:
    path: str
    status: str  # "imported" | "skipped" | "failed"
    playlists: int = 0
    rows: int = 0
    seconds: float = 0.0
    error: str | None = None
    refused: list[str] = field(default_factory=list)  # duplicate pids left out, one line each


@dataclass
class ImportSummary:
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    def _with(self, status: str) -> list[FileResult]:
        return [f for f in self.files if f.status == status]

    @property
    def imported(self) -> list[FileResult]:
        return self._with("imported")

    @property
    def skipped(self) -> list[FileResult]:
        return self._with("skipped")

    @property
    def failed(self) -> list[FileResult]:
        return self._with("failed")

    @property
    def refused(self) -> list[str]:
        return [line for f in self.files for line in f.refused]

    @property
    def playlists(self) -> int:
        return sum(f.playlists for f in self.imported)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.imported)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Progress:
    """Reported after every committed transaction and every finished file."""

    files_done: int
    files_total: int
    playlists: int
    rows: int
    seconds: float
    current: str

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


ProgressCallback = Callable[[Progress], None]


class ProgressTally:
    """Running totals of one import, each change reported to the optional callback."""

    def __init__(self, files_total: int, on_progress: ProgressCallback | None) -> None:
        self.files_total, self.on_progress = files_total, on_progress
        self.files_done = self.playlists = self.rows = 0
        self.start = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start

    def add(self, playlists: int = 0, rows: int = 0, files: int = 0, current: str = "") -> None:
        self.playlists += playlists
        self.rows += rows
        self.files_done += files
        if self.on_progress:
            self.on_progress(
                Progress(
                    files_done=self.files_done,
                    files_total=self.files_total,
                    playlists=self.playlists,
                    rows=self.rows,
                    seconds=self.seconds,
                    current=current,
                )
            )
