"""Staging MPD slices as the offline importer's CSV files (no Neo4j needed)."""

from __future__ import annotations

import csv
from pathlib import Path

from support.mpd_files import mpd_playlist, write_corrupt_gz_slice, write_slice
from tunegraph.graphstore.mpd.staging import GROUPS, stage_mpd


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_each_entity_is_written_once_and_line_breaks_go_to_multiline_files(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "mpd"
    folder.mkdir()
    write_slice(folder, 0, [mpd_playlist(0, [1, 2], description='a "b",\nc'),
                            mpd_playlist(1, [2, 3])])  # fmt: skip
    write_slice(folder, 2, [mpd_playlist(2, [3, 4, 1])])
    staging = stage_mpd(sorted(folder.iterdir()), tmp_path / "stage", workers=1)

    assert [f.status for f in staging.files] == ["imported", "imported"]
    assert staging.rows == 2 + 2 + 3
    tracks = _rows(tmp_path / "stage" / "tracks" / "entities.csv")
    assert sorted(r[0] for r in tracks) == [f"{i:022d}" for i in (1, 2, 3, 4)]
    assert len(_rows(tmp_path / "stage" / "by" / "entities.csv")) == 4
    plain = _rows(tmp_path / "stage" / "playlists" / "000000.csv")
    multiline = _rows(tmp_path / "stage" / "playlists" / "000000.multiline.csv")
    assert [r[0] for r in plain] == ["mpd:1"]
    assert multiline[0][:3] == ["mpd:0", "Playlist 0", 'a "b",\nc']
    groups = {g.label: g for g in staging.input_groups()}
    assert groups["Playlist"].multiline == (
        tmp_path / "stage" / "playlists" / "000000.multiline.csv",
    )
    header = groups["CONTAINS"].header.read_text().strip().split(",")
    assert tuple(header) == GROUPS["contains"].header


def test_a_bad_slice_leaves_no_files_behind(tmp_path: Path) -> None:
    folder = tmp_path / "mpd"
    folder.mkdir()
    bad = folder / "mpd.slice.0-1.json"
    good = mpd_playlist(0, [1, 2])
    broken = mpd_playlist(1, [3])
    broken["tracks"][0]["track_uri"] = "spotify:album:xyz"
    write_slice(folder, 0, [good, broken])
    staging = stage_mpd([bad], tmp_path / "stage", workers=1)
    assert staging.files[0].status == "failed"
    assert "pid 1" in (staging.files[0].error or "")
    assert not list((tmp_path / "stage" / "playlists").iterdir())
    assert not list((tmp_path / "stage" / "contains").iterdir())


def test_a_corrupt_gz_slice_is_a_failed_file_and_the_others_are_staged(tmp_path: Path) -> None:
    folder = tmp_path / "mpd"
    folder.mkdir()
    write_slice(folder, 0, [mpd_playlist(0, [1, 2])])
    corrupt = write_corrupt_gz_slice(folder, 1, [mpd_playlist(p, [3, 4]) for p in range(1, 60)])
    write_slice(folder, 60, [mpd_playlist(60, [4, 5])])
    # Two worker processes: the zlib error used to escape the worker and end the import.
    staging = stage_mpd(sorted(folder.iterdir()), tmp_path / "stage", workers=2)
    assert [f.status for f in staging.files] == ["imported", "failed", "imported"]
    assert (staging.files[1].error or "").startswith(f"{corrupt}: corrupt compressed data")
    assert staging.rows == 4
