"""`export_graph` against the real Neo4j: the export_format contract, read back by the model."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from support.cli_checks import assert_one_line_error
from tunegraph import export_format as F
from tunegraph.cli.main import cli
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.export.pipeline import (
    INTERACTIONS_QUERY,
    TRACKS_QUERY,
    ExportError,
    ExportResult,
    ExportSettings,
    arrow_schema,
    export_store,
)
from tunegraph.graphstore.export.queries import INTERACTION_ROW, TRACK_ROW
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.graphstore.writers import GraphBatch, write_batch
from tunegraph.model.data.export import load_export
from tunegraph.outputs import OutputError

AUDIO = {name: 0.1 * (i + 1) for i, name in enumerate(F.AUDIO_FEATURES)}


def small_graph(owners: bool = True, playlists: int = 6) -> GraphBatch:
    """Playlists p0..pN over tracks t0..t9; t0 has popularity and audio features, t1 two
    artists credited out of id order, p0 holds t3 twice."""
    batch = GraphBatch()
    for i in range(10):
        props: dict[str, Any] = {"name": f"Track {i}", "duration_ms": 1000 + i}
        if i == 0:
            props.update(popularity=70, **AUDIO)
        batch.add_node("Track", f"t{i}", **props)
        batch.add_relationship("BY", track_id=f"t{i}", artist_id=f"a{i % 3}", position=0)
        batch.add_relationship("ON", track_id=f"t{i}", album_id=f"al{i % 4}")
    batch.add_relationship("BY", track_id="t1", artist_id="a0", position=1)  # t1: a1, then a0
    for i in range(3):
        batch.add_node("Artist", f"a{i}", name=f"Artist {i}")
    for i in range(4):
        batch.add_node("Album", f"al{i}", name=f"Album {i}")
    for p in range(playlists):
        batch.add_node("Playlist", f"p{p}", name=f"Playlist {p}", source="crawl")
        if owners:
            batch.add_node("User", f"u{p % 2}")
            batch.add_relationship("OWNS", user_id=f"u{p % 2}", playlist_id=f"p{p}")
        tracks = [(p + k) % 10 for k in range(4 + p % 3)]
        if p == 0:
            tracks.insert(2, 3)  # t3 at positions 2 and 3
        for position, t in enumerate(tracks):
            batch.add_relationship("CONTAINS", playlist_id=f"p{p}", track_id=f"t{t}",
                                   position=position, added_at=None)  # fmt: skip
    batch.add_node("Playlist", "empty", name="No tracks")
    batch.add_node("Track", "lonely", name="In no playlist")
    return batch


async def _write_and_export(
    settings: Neo4jSettings, batch: GraphBatch | None, export: ExportSettings
) -> ExportResult:
    async with GraphStore(settings) as store:
        if batch is not None:
            await write_batch(store, batch)
        return await export_store(store, export)


def _export(settings: Neo4jSettings, batch: GraphBatch | None, out: Path, **kw: Any) -> Any:
    return asyncio.run(_write_and_export(settings, batch, ExportSettings(out_dir=out, **kw)))


def test_export_follows_the_contract_and_the_model_reads_it(
    empty_graph: Neo4jSettings, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    result = _export(empty_graph, small_graph(), out)
    manifest = F.read_manifest(out)
    assert manifest[F.MANIFEST_SCHEMA] == F.full_schema()
    assert manifest[F.MANIFEST_QUERY_ENTITY] == "playlist"
    assert manifest[F.MANIFEST_GRAPH_CHECKSUM] == result.graph_checksum
    assert manifest[F.MANIFEST_QUERY]["interactions"] == INTERACTIONS_QUERY

    # Parquet schemas are the contract's names and dtypes.
    for path, columns in [
        (out / F.INTERACTIONS_DIR / "part-00000.parquet", F.INTERACTION_COLUMNS),
        (out / F.TRACKS_FILE, F.TRACK_COLUMNS),
        (out / F.PLAYLISTS_FILE, F.PLAYLIST_COLUMNS),
    ]:
        schema = pq.read_schema(path)
        assert schema.names == F.column_names(columns)
        assert [f.type for f in schema] == [f.type for f in arrow_schema(columns)]

    inter = pq.read_table(out / F.INTERACTIONS_DIR).to_pylist()
    p0 = [(r["track_id"], r["position"]) for r in inter if r["playlist_id"] == "p0"]
    assert p0 == [("t0", 0), ("t1", 1), ("t3", 2), ("t2", 3)]  # duplicate t3 dropped
    assert result.interactions == len(inter) == manifest[F.MANIFEST_COUNTS]["interactions"]
    assert result.playlists == 6  # the playlist without tracks is not exported

    tracks = {r["track_id"]: r for r in pq.read_table(out / F.TRACKS_FILE).to_pylist()}
    assert "lonely" not in tracks
    assert tracks["t1"]["artist_ids"] == ["a1", "a0"]
    assert tracks["t1"]["artist_names"] == ["Artist 1", "Artist 0"]
    assert tracks["t0"]["has_popularity"] and tracks["t0"]["popularity"] == 70.0
    assert tracks["t0"]["has_audio_features"]
    assert tracks["t0"]["tempo"] == pytest.approx(AUDIO["tempo"])
    assert not tracks["t5"]["has_popularity"] and tracks["t5"]["popularity"] is None
    assert not tracks["t5"]["has_audio_features"] and tracks["t5"]["energy"] is None
    assert tracks["t5"]["album_id"] == "al1"

    vocab = {
        name: (out / F.VOCAB_DIR / f"{name}.txt").read_text().split() for name in F.VOCABULARIES
    }
    assert vocab["track_id"] == sorted(tracks)
    assert vocab["query_id"] == [f"p{i}" for i in range(6)]
    assert vocab["artist_id"] == ["a0", "a1", "a2"]
    assert vocab["album_id"] == ["al0", "al1", "al2", "al3"]

    data = load_export(out)  # the model's reader accepts it
    assert data.playlist_ids == [f"p{i}" for i in range(6)]
    assert data.n_interactions == result.interactions
    assert data.tracks.audio_mask[1] == 1.0 and data.tracks.audio_mask[2] == 0.0


def test_cypher_return_columns_match_the_contract(empty_graph: Neo4jSettings) -> None:
    async def rows() -> tuple[list, list]:
        async with GraphStore(empty_graph) as store:
            await write_batch(store, small_graph())
            inter = await store.run(INTERACTIONS_QUERY, after="", page=1, query_entity="owner")
            tracks = await store.run(TRACKS_QUERY, after="", page=100)
        return inter[0]["rows"][0], tracks[0]["rows"][0]

    inter_row, track_row = asyncio.run(rows())
    assert INTERACTION_ROW[: len(F.INTERACTION_COLUMNS)] == tuple(
        F.column_names(F.INTERACTION_COLUMNS)
    )
    assert tuple(F.column_names(F.TRACK_COLUMNS)) == TRACK_ROW
    assert len(inter_row) == len(INTERACTION_ROW) and len(track_row) == len(TRACK_ROW)
    assert inter_row[INTERACTION_ROW.index("playlist_id")] == "empty"  # the first by id
    assert track_row[TRACK_ROW.index("track_id")] == "t0"


def test_positions_come_back_whether_contiguous_or_not(
    empty_graph: Neo4jSettings, tmp_path: Path
) -> None:
    batch = small_graph()
    for pid, positions in (("mpd:1", (0, 1, 2)), ("mpd:2", (5, 2, 9))):
        batch.add_node("Playlist", pid, name=pid, source="mpd")
        for position, t in zip(positions, ("t1", "t2", "t3"), strict=True):
            batch.add_relationship("CONTAINS", playlist_id=pid, track_id=t, position=position,
                                   added_at=None)  # fmt: skip
    result = _export(empty_graph, batch, tmp_path / "out")
    table = pq.read_table(result.out_dir / F.INTERACTIONS_DIR / "part-00000.parquet")
    rows = [r for r in table.to_pylist() if r["playlist_id"] in ("mpd:1", "mpd:2")]
    got = {(r["playlist_id"], r["track_id"]): r["position"] for r in rows}
    assert got == {
        ("mpd:1", "t1"): 0, ("mpd:1", "t2"): 1, ("mpd:1", "t3"): 2,
        ("mpd:2", "t2"): 2, ("mpd:2", "t1"): 5, ("mpd:2", "t3"): 9,
    }  # fmt: skip


def test_owner_entity_and_ownerless_playlists(empty_graph: Neo4jSettings, tmp_path: Path) -> None:
    batch = small_graph()
    batch.add_node("Playlist", "mpd:1", name="imported", source="mpd")
    for position, t in enumerate(("t1", "t2", "t3")):
        batch.add_relationship("CONTAINS", playlist_id="mpd:1", track_id=t, position=position,
                               added_at=None)  # fmt: skip
    result = _export(empty_graph, batch, tmp_path / "owner", query_entity="owner")
    inter = pq.read_table(tmp_path / "owner" / F.INTERACTIONS_DIR).to_pylist()
    assert {r["query_id"] for r in inter} == {"u0", "u1"}
    assert {r["query_id"] for r in inter if r["playlist_id"] == "p1"} == {"u1"}
    assert "mpd:1" not in {r["playlist_id"] for r in inter}
    manifest = json.loads((tmp_path / "owner" / F.MANIFEST_FILE).read_text())
    assert manifest[F.MANIFEST_COUNTS]["playlists_without_owner"] == 1
    assert result.skipped_playlists == 2  # mpd:1 (no owner) and "empty" (no tracks)
    assert (tmp_path / "owner" / F.VOCAB_DIR / "query_id.txt").read_text() == "u0\nu1\n"
    load_export(tmp_path / "owner")


def test_owner_entity_on_a_graph_without_owners_is_a_clear_error(
    empty_graph: Neo4jSettings, tmp_path: Path
) -> None:
    with pytest.raises(ExportError, match="no playlist in the graph has an owner"):
        _export(empty_graph, small_graph(owners=False), tmp_path / "o", query_entity="owner")
    assert not (tmp_path / "o").exists()


def test_empty_and_too_small_graphs_are_clear_errors(
    empty_graph: Neo4jSettings, tmp_path: Path
) -> None:
    with pytest.raises(ExportError, match="no playlist with tracks"):
        _export(empty_graph, None, tmp_path / "e")
    with pytest.raises(ExportError, match="too little data to split"):
        _export(empty_graph, small_graph(playlists=2), tmp_path / "e")
    assert not (tmp_path / "e").exists()


def test_sharded_output_and_replacing_an_earlier_export(
    empty_graph: Neo4jSettings, tmp_path: Path
) -> None:
    out = tmp_path / "sharded"
    result = _export(empty_graph, small_graph(playlists=40), out, shard_rows=50, page_playlists=7)
    parts = sorted((out / F.INTERACTIONS_DIR).glob("part-*.parquet"))
    assert len(parts) == result.shards > 1
    sizes = [pq.read_metadata(p).num_rows for p in parts]
    assert all(size <= 50 for size in sizes) and sum(sizes) == result.interactions
    assert load_export(out).n_interactions == result.interactions
    again = _export(empty_graph, None, out, page_playlists=1000)  # replaces the old export
    assert again.graph_checksum == result.graph_checksum
    assert len(list((out / F.INTERACTIONS_DIR).glob("*.parquet"))) == 1

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"did not write \(notes\.txt\)"):
        _export(empty_graph, None, foreign)
    assert (foreign / "notes.txt").read_text() == "mine"


def _cli_export(settings: Neo4jSettings, out: str | Path) -> Result:
    env = {"NEO4J_URI": settings.uri, "NEO4J_USER": settings.user,
           "NEO4J_PASSWORD": settings.password}  # fmt: skip
    return CliRunner().invoke(cli, ["export", "--out", str(out), "--no-progress"], env=env)


def _tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_export_never_deletes_what_it_did_not_write(
    empty_graph: Neo4jSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue #14 item 1: a manifest.json made any folder an export, removed whole."""
    asyncio.run(_write_and_export(empty_graph, small_graph(), ExportSettings(tmp_path / "first")))
    w = tmp_path / "w"
    (w / "src").mkdir(parents=True)
    (w / "manifest.json").write_text("{}")
    (w / "index.html").write_text("x")
    assert_one_line_error(
        _cli_export(empty_graph, w), "did not write (index.html, manifest.json, src)"
    )
    assert _tree(w) == ["index.html", "manifest.json", "src"]

    export = tmp_path / "export"
    assert _cli_export(empty_graph, export).exit_code == 0
    (export / "vocab" / "notes.txt").write_text("mine")
    assert_one_line_error(_cli_export(empty_graph, export), "did not write (vocab/notes.txt)")
    assert (export / "vocab" / "notes.txt").read_text() == "mine"
    (export / "vocab" / "notes.txt").unlink()
    assert _cli_export(empty_graph, export).exit_code == 0  # an export of its own: replaced

    before = _tree(export)
    monkeypatch.chdir(export)
    assert_one_line_error(_cli_export(empty_graph, "."), "current folder")
    assert _tree(export) == before
    load_export(export)


def test_export_to_a_bad_path_is_one_line_and_leaves_nothing(
    empty_graph: Neo4jSettings, tmp_path: Path
) -> None:
    """Issue #14 item 10: /proc, a path under a file and a symlink ended in a traceback."""
    asyncio.run(_write_and_export(empty_graph, small_graph(), ExportSettings(tmp_path / "first")))
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "first")
    before = _tree(tmp_path)
    for out, message in [
        ("/proc/tunegraph-export", "cannot write to /proc/tunegraph-export"),
        (afile / "out", "file.txt is a file, not a folder"),
        (tmp_path / "link", "is a symbolic link"),
    ]:
        assert_one_line_error(_cli_export(empty_graph, out), message)
    assert _tree(tmp_path) == before  # no .partial or staging folder left anywhere
