"""The MPD slice reader: streams typed playlists, names the file and pid when input is bad."""

from __future__ import annotations

import json

import pytest

from support.mpd_files import mpd_playlist, write_corrupt_gz_slice, write_slice
from tunegraph.datasets.mpd import MpdFormatError, find_slice_files, iter_playlists, read_slice


def test_reads_json_and_gz_slices_in_order(tmp_path):
    write_slice(
        tmp_path, 0, [mpd_playlist(0, [1, 2, 3], name="Throwbacks"), mpd_playlist(1, [3, 4])]
    )
    write_slice(
        tmp_path, 2, [mpd_playlist(2, [5], collaborative="true", description="old")], gz=True
    )
    (tmp_path / "README.md").write_text("not a slice")
    records = list(iter_playlists(tmp_path))
    assert [r.pid for r in records] == [0, 1, 2]
    first = records[0]
    assert first.name == "Throwbacks"
    assert first.collaborative is False and records[2].collaborative is True
    assert records[2].description == "old" and first.description is None
    assert [t.track_id for t in first.tracks] == [f"{i:022d}" for i in (1, 2, 3)]
    assert first.tracks[0].artist_name == "Britney Spears"
    assert first.num_followers == 1 and first.modified_at == 1_500_000_000
    assert first.source_file.endswith("mpd.slice.0-1.json")


def test_tiny_chunks_decode_the_same_playlists(tmp_path):
    path = write_slice(tmp_path, 0, [mpd_playlist(p, list(range(p, p + 5))) for p in range(6)])
    assert list(read_slice(path, chunk_size=7)) == list(read_slice(path))


def test_playlists_key_may_come_first_and_info_last(tmp_path):
    path = tmp_path / "mpd.slice.0-0.json"
    path.write_text(json.dumps({"playlists": [mpd_playlist(0, [1])], "info": {"slice": "0-0"}}))
    assert [r.pid for r in read_slice(path)] == [0]
    path.write_text(json.dumps({"info": {}, "playlists": []}))
    assert list(read_slice(path)) == []  # empty, but a slice


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p.pop("pid"), r"playlist #1: missing 'pid'"),
        (lambda p: p.pop("name"), r"pid 1: missing 'name'"),
        (lambda p: p.update(collaborative="maybe"), r"pid 1: 'collaborative' must be"),
        (
            lambda p: p["tracks"][0].update(track_uri="spotify:album:x"),
            r"pid 1: track #0: track_uri",
        ),
        (lambda p: p["tracks"][0].update(duration_ms="long"), r"pid 1: track #0: 'duration_ms'"),
        (lambda p: p.update(pid=True), r"playlist #1: 'pid' has the wrong type"),
    ],
)
def test_bad_records_name_file_and_pid(tmp_path, change, message):
    bad = mpd_playlist(1, [1, 2])
    change(bad)
    path = write_slice(tmp_path, 0, [mpd_playlist(0, [1]), bad])
    with pytest.raises(MpdFormatError, match=message) as info:
        list(read_slice(path))
    assert str(path) in str(info.value)


def test_malformed_and_truncated_json(tmp_path):
    good = write_slice(tmp_path, 0, [mpd_playlist(0, [1]), mpd_playlist(1, [2])])
    text = good.read_text()
    truncated = tmp_path / "mpd.slice.9-9.json"
    truncated.write_text(text[: text.index('"pid": 1') + 12])
    with pytest.raises(
        MpdFormatError, match=r"9-9\.json: file ends early in playlist #1 \(after pid 0\)"
    ):
        list(read_slice(truncated, chunk_size=16))
    garbage = tmp_path / "mpd.slice.8-8.json"
    garbage.write_text('{"info": {}, "playlists": [{"pid": 0,, }]}')
    with pytest.raises(
        MpdFormatError, match=r"mpd\.slice\.8-8\.json: malformed JSON in playlist #0"
    ):
        list(read_slice(garbage))
    no_list = tmp_path / "other.json"
    no_list.write_text('{"info": {}}')
    with pytest.raises(MpdFormatError, match="no 'playlists' list"):
        list(read_slice(no_list))


def test_missing_paths_and_empty_folders(tmp_path):
    with pytest.raises(MpdFormatError, match="no such file or folder"):
        find_slice_files(tmp_path / "absent")
    with pytest.raises(MpdFormatError, match=r"no mpd\.slice\.\*\.json"):
        list(iter_playlists(tmp_path))
    bad_gz = tmp_path / "mpd.slice.0-0.json.gz"
    bad_gz.write_bytes(b"not gzip at all")
    with pytest.raises(MpdFormatError, match="cannot read"):
        list(iter_playlists(bad_gz))


def test_corrupt_compressed_data_is_a_format_error_naming_file_and_pid(tmp_path):
    path = write_corrupt_gz_slice(tmp_path, 0, [mpd_playlist(p, [p, p + 1]) for p in range(40)])
    records = []
    with pytest.raises(MpdFormatError, match="corrupt compressed data") as info:
        records.extend(read_slice(path, chunk_size=256))
    assert records  # the playlists before the break were read
    assert str(path) in str(info.value)
    assert f"after pid {records[-1].pid}" in str(info.value)
