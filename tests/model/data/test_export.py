import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tunegraph import export_format as F
from tunegraph.model.data.export import load_export
from tunegraph.model.errors import DataError
from tunegraph.testing.export_dir import write_export_dir

PLAYLISTS = {"p1": ["a", "b", "c"], "p2": ["c", "d"], "p3": ["a", "d", "e", "a"]}


def test_reads_playlists_in_order_with_masks(tmp_path: Path) -> None:
    meta = {"a": {"popularity": 50.0, **{n: 1.0 for n in F.AUDIO_FEATURES}}}
    write_export_dir(tmp_path, PLAYLISTS, meta, shard_rows=3)
    data = load_export(tmp_path)
    assert data.playlist_ids == ["p1", "p2", "p3"]
    ids = data.tracks.ids
    assert [ids[i - 1] for i in data.playlist_tracks[2]] == ["a", "d", "e"]  # duplicate dropped
    a = ids.index("a") + 1
    assert data.tracks.audio_mask[a] == 1.0 and data.tracks.audio_mask.sum() == 1.0
    assert data.tracks.popularity[a] == pytest.approx(0.5)
    assert data.tracks.popularity_mask.sum() == 1.0
    assert data.n_interactions == 8


def test_manifest_schema_matches_the_contract(tmp_path: Path) -> None:
    write_export_dir(tmp_path, PLAYLISTS)
    manifest = F.read_manifest(tmp_path)
    assert manifest["schema"]["interactions"] == F.schema_of(F.INTERACTION_COLUMNS)
    table = pq.read_table(tmp_path / F.TRACKS_FILE)
    assert table.column_names == F.column_names(F.TRACK_COLUMNS)


def test_null_strings_are_dropped_not_crashing(tmp_path: Path) -> None:
    write_export_dir(tmp_path, PLAYLISTS)
    part = tmp_path / F.INTERACTIONS_DIR / "part-00000.parquet"
    table = pq.read_table(part).to_pandas()
    table.loc[0, "track_id"] = None
    table.to_parquet(part)
    data = load_export(tmp_path)
    assert data.n_interactions == 7


def test_rows_in_any_order_across_parts_come_back_by_position(tmp_path: Path) -> None:
    write_export_dir(tmp_path, PLAYLISTS)
    folder = tmp_path / F.INTERACTIONS_DIR
    schema = pq.read_schema(folder / "part-00000.parquet")
    rows = [  # out of order over two parts; a repeat of (p1, b) comes last
        [("p3", "a", 0), ("p1", "b", 1), ("p3", "d", 1)],
        [
            ("p2", "c", 0),
            ("p1", "a", 0),
            ("p3", "e", 2),
            ("p1", "c", 2),
            ("p2", "d", 1),
            ("p1", "b", 5),
        ],
    ]
    for i, part in enumerate(rows):
        columns = {
            "query_id": [r[0] for r in part],
            "playlist_id": [r[0] for r in part],
            "track_id": [r[1] for r in part],
            "position": [r[2] for r in part],
        }
        pq.write_table(pa.table(columns, schema=schema), folder / f"part-{i:05d}.parquet")
    manifest = json.loads((tmp_path / F.MANIFEST_FILE).read_text())
    manifest["counts"].update(interactions=9, interaction_shards=2)
    (tmp_path / F.MANIFEST_FILE).write_text(json.dumps(manifest))
    data = load_export(tmp_path)
    ids = data.tracks.ids
    assert data.playlist_ids == ["p1", "p2", "p3"]
    assert [[ids[i - 1] for i in t] for t in data.playlist_tracks] == [
        ["a", "b", "c"],
        ["c", "d"],
        ["a", "d", "e"],
    ]
    assert list(data.playlist_part) == [1, 1, 0]  # the part of each playlist's first track
    assert data.query_ids == ["p1", "p2", "p3"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format_version": 99}, "format version 99"),
        ({"query_entity": "planet"}, "unknown query_entity"),
        ({"schema": {}}, "schema of interactions.query_id"),
    ],
)
def test_wrong_manifest_is_refused(tmp_path: Path, change: dict, message: str) -> None:
    write_export_dir(tmp_path, PLAYLISTS, manifest_overrides=change)
    with pytest.raises(DataError, match=message):
        load_export(tmp_path)


def test_missing_pieces_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        load_export(tmp_path / "nope")
    write_export_dir(tmp_path, PLAYLISTS)
    (tmp_path / F.TRACKS_FILE).unlink()
    with pytest.raises(DataError, match=r"lacks tracks\.parquet"):
        load_export(tmp_path)
    (tmp_path / F.MANIFEST_FILE).unlink()
    with pytest.raises(DataError, match=r"no manifest\.json"):
        load_export(tmp_path)
    (tmp_path / F.MANIFEST_FILE).write_text(json.dumps([1]))
    with pytest.raises(DataError, match="JSON object"):
        load_export(tmp_path)


def test_a_part_file_that_lost_rows_is_refused(tmp_path: Path) -> None:
    """Issue #14 item 12: an export whose part file lost half its rows trained with exit 0."""
    write_export_dir(tmp_path, PLAYLISTS)
    part = tmp_path / F.INTERACTIONS_DIR / "part-00000.parquet"
    table = pq.read_table(part)
    pq.write_table(table.slice(0, table.num_rows // 2), part)
    message = r"part-00000\.parquet hold\(s\) 4 interactions row\(s\), manifest\.json records 8"
    with pytest.raises(DataError, match=message):
        load_export(tmp_path)


def test_a_missing_part_file_or_table_rows_are_refused(tmp_path: Path) -> None:
    write_export_dir(tmp_path, PLAYLISTS, shard_rows=3)
    manifest = json.loads((tmp_path / F.MANIFEST_FILE).read_text())
    manifest["counts"]["interaction_shards"] = 3
    (tmp_path / F.MANIFEST_FILE).write_text(json.dumps(manifest))
    load_export(tmp_path)  # as written: the counts agree
    (tmp_path / F.INTERACTIONS_DIR / "part-00001.parquet").unlink()
    with pytest.raises(DataError, match=r"records 3 interaction part file\(s\), the folder holds 2"
                       r" \(part-00001\.parquet\)"):  # fmt: skip
        load_export(tmp_path)
    write_export_dir(tmp_path / "t", PLAYLISTS)
    tracks = pq.read_table(tmp_path / "t" / F.TRACKS_FILE)
    pq.write_table(tracks.slice(1), tmp_path / "t" / F.TRACKS_FILE)
    with pytest.raises(DataError, match=r"tracks\.parquet hold\(s\) 4 tracks row\(s\)"):
        load_export(tmp_path / "t")
