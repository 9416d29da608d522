"""`tunegraph.model.serving.batch_io` without a model: request files in, submission files out."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tunegraph.model.serving.batch_io import (
    BatchFileError,
    ResultWriter,
    check_submission,
    output_format,
    read_requests,
)


@pytest.mark.parametrize("pid", [True, 0.0, [1, 2], {"a": 1}])
def test_a_json_pid_that_is_neither_a_string_nor_an_integer_is_refused(
    tmp_path: Path, pid: object
) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_text(json.dumps({"pid": 1}) + "\n" + json.dumps({"pid": pid}) + "\n")
    with pytest.raises(BatchFileError, match=r"line 2: pid .* neither a string nor an integer"):
        read_requests(path)


@pytest.mark.parametrize("pid", ["a,b", "a\nb", 'say "hi"', "a b", ""])
def test_a_pid_a_submission_would_misread_is_refused(pid: str) -> None:
    with pytest.raises(BatchFileError, match="cannot hold a pid with a comma"):
        check_submission(["1", pid])


def test_two_ids_of_one_pid_are_refused_naming_both() -> None:
    check_submission(["mpd:5", "6", "37i9dQZF1DXcBWIGoYBM5M"])
    with pytest.raises(BatchFileError, match="playlists mpd:5 and 5 are both pid 5"):
        check_submission(["mpd:5", "6", "5"])


def test_the_format_is_read_before_a_gz_suffix() -> None:
    assert output_format(Path("sub.csv.gz"), "auto") == "csv"
    assert output_format(Path("sub.csv.gz"), "recsys2018") == "recsys2018"
    with pytest.raises(BatchFileError, match="Parquet is compressed inside"):
        output_format(Path("recs.parquet.gz"), "auto")


def _write(path: Path, fmt: str, compress: bool) -> None:
    writer = ResultWriter(path, fmt, ["t1", "t2", "t3"], "team", "a@b.c", compress=compress)
    writer.write(["mpd:5", "p,6"] if fmt == "csv" else ["mpd:5", "6"], np.array([[2, 1], [3, 0]]))
    writer.close()


def test_a_submission_named_gz_is_gzipped(tmp_path: Path) -> None:
    out = tmp_path / "sub.csv.gz"
    _write(out, "recsys2018", compress=True)
    with gzip.open(out, "rt", encoding="utf-8") as stream:
        assert stream.read().splitlines() == [
            "team_info,team,a@b.c",
            "5, spotify:track:t2, spotify:track:t1",
            "6, spotify:track:t3",
        ]


def test_a_csv_named_gz_is_gzipped_and_quotes_what_needs_it(tmp_path: Path) -> None:
    out = tmp_path / "recs.csv.gz"
    _write(out, "csv", compress=True)
    frame = pd.read_csv(out, compression="gzip", dtype=str)
    assert frame["playlist_id"].tolist() == ["mpd:5", "mpd:5", "p,6"]
    assert frame["track_id"].tolist() == ["t2", "t1", "t3"]
