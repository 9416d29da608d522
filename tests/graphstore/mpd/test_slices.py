"""What both MPD import paths share: slice checks, the in-order pool, file names (no Neo4j)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.mpd_files import mpd_playlist, write_slice
from tunegraph.datasets.mpd import MpdFormatError
from tunegraph.graphstore.mpd.slices import (
    SlicePool,
    checked_playlists,
    expand_paths,
    file_key,
)


def _slow_square(n: int, seconds: float) -> int:
    time.sleep(seconds)
    return n * n


def test_pool_results_come_in_job_order_whatever_finishes_first() -> None:
    jobs = [(n, 0.2 if n == 0 else 0.0) for n in range(6)]  # the first job is the slowest
    with SlicePool[int](workers=2) as pool:
        assert [f.result() for f in pool.in_order(_slow_square, jobs)] == [n * n for n in range(6)]


def test_pool_keeps_at_most_workers_plus_one_jobs_ahead() -> None:
    pulled: list[int] = []

    def jobs() -> Iterator[tuple[int, float]]:
        for n in range(10):
            pulled.append(n)
            yield n, 0.0

    with SlicePool[int](workers=1) as pool:
        futures = pool.in_order(_slow_square, jobs())
        assert next(futures).result() == 0
        assert len(pulled) == 2  # the one handed out and the one parsed meanwhile
        assert [f.result() for f in futures] == [n * n for n in range(1, 10)]


def test_checked_playlists_rejects_a_pid_twice_and_a_position_twice(tmp_path: Path) -> None:
    twice = write_slice(tmp_path, 0, [mpd_playlist(0, [1, 2]), mpd_playlist(0, [3])])
    with pytest.raises(MpdFormatError, match="pid 0 appears twice"):
        list(checked_playlists(twice))
    shared = mpd_playlist(5, [1, 2])
    shared["tracks"][1]["pos"] = 0
    with pytest.raises(MpdFormatError, match="pid 5: two tracks share a 'pos'"):
        list(checked_playlists(write_slice(tmp_path, 5, [shared])))


def test_expand_paths_names_each_file_once_and_keys_ignore_gz(tmp_path: Path) -> None:
    plain = write_slice(tmp_path, 0, [mpd_playlist(0, [1])])
    packed = write_slice(tmp_path, 1, [mpd_playlist(1, [2])], gz=True)
    assert expand_paths([tmp_path, plain]) == [plain, packed]
    assert file_key(packed) == "mpd.slice.1-1.json" == file_key(packed.with_suffix(""))
    with pytest.raises(MpdFormatError, match="no such file"):
        expand_paths([tmp_path / "absent"])
