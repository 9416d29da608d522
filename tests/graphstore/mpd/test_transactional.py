"""`import_mpd` against the session's real Neo4j, on MPD slice files the tests write."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path
from typing import Any

import pytest

from support.mpd_files import mpd_playlist, two_worlds, write_corrupt_gz_slice, write_slice
from support.neo4j_fixtures import reset_graph
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.export import ExportSettings, export_store
from tunegraph.graphstore.mpd.slices import ImportSummary
from tunegraph.graphstore.mpd.transactional import (
    ImportInterrupted,
    ImportSettings,
    import_mpd,
    parse_slice_rows,
)
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.graphstore.writers import count_nodes, count_relationships

ARTISTS = 4  # support.mpd_files cycles through four artists


def make_slices(folder: Path, files: int = 3, per_file: int = 60, seed: int = 3) -> Path:
    """``files`` slices of ``per_file`` playlists (one gzipped), tracks from a shared pool."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for f in range(files):
        start = f * per_file
        playlists = []
        for pid in range(start, start + per_file):
            tracks = rng.sample(range(300), rng.randint(3, 25))
            extra: dict[str, Any] = {"description": f"about {pid}"} if pid % 5 == 0 else {}
            playlists.append(mpd_playlist(pid, tracks, **extra))
        write_slice(folder, start, playlists, gz=(f == files - 1))
    return folder


def expected_counts(folder: Path) -> dict[str, int]:
    playlists, rows, tracks, albums = 0, 0, set(), set()
    for path in sorted(folder.iterdir()):
        slice_rows = parse_slice_rows(path)
        assert slice_rows.error is None
        playlists += len(slice_rows.playlists)
        rows += slice_rows.rows
        tracks.update(r["id"] for r in slice_rows.tracks)
        albums.update(r["album_id"] for r in slice_rows.tracks)
    return {"playlists": playlists, "rows": rows, "tracks": len(tracks), "albums": len(albums)}


async def _import(
    settings: Neo4jSettings, paths: list[Path], options: ImportSettings | None = None
) -> ImportSummary:
    async with GraphStore(settings) as store:
        return await import_mpd(store, paths, options)


async def _snapshot(settings: Neo4jSettings, out: Path) -> tuple[Any, ...]:
    """Node and relationship counts plus the export's checksum over pairs and track features."""
    async with GraphStore(settings) as store:
        nodes = await count_nodes(store)
        rels = await count_relationships(store)
        result = await export_store(store, ExportSettings(out_dir=out))
        props = await store.run("MATCH (p:Playlist {id: 'mpd:0'}) RETURN properties(p) AS props")
    return nodes, rels, result.graph_checksum, props


async def _snapshot_counts(settings: Neo4jSettings) -> tuple[Any, ...]:
    async with GraphStore(settings) as store:
        return await count_nodes(store), await count_relationships(store)


@pytest.fixture
def slices(tmp_path: Path) -> Path:
    return make_slices(tmp_path / "mpd")


def test_counts_in_graph_equal_counts_in_files(empty_graph: Neo4jSettings, slices: Path) -> None:
    summary = asyncio.run(_import(empty_graph, [slices]))
    want = expected_counts(slices)
    assert [f.status for f in summary.files] == ["imported"] * 3
    assert summary.playlists == want["playlists"] and summary.rows == want["rows"]

    async def check() -> None:
        async with GraphStore(empty_graph) as store:
            nodes = await count_nodes(store)
            rels = await count_relationships(store)
            playlist = (
                await store.run("MATCH (p:Playlist {id: 'mpd:5'}) RETURN properties(p) AS p")
            )[0]["p"]
        assert nodes["Playlist"] == want["playlists"]
        assert nodes["Track"] == want["tracks"]
        assert nodes["Album"] == want["albums"]
        assert nodes["Artist"] == ARTISTS
        assert nodes["ImportFile"] == 3
        assert rels["CONTAINS"] == want["rows"]
        assert rels["BY"] == rels["ON"] == want["tracks"]
        assert playlist["source"] == "mpd"
        assert playlist["name"] == "Playlist 5"
        assert playlist["description"] == "about 5"
        assert playlist["followers"] == 5 % 7 + 1
        assert playlist["modified_at"] == 1_500_000_005

    asyncio.run(check())


def test_reimport_changes_nothing(empty_graph: Neo4jSettings, slices: Path, tmp_path: Path) -> None:
    asyncio.run(_import(empty_graph, [slices]))
    first = asyncio.run(_snapshot(empty_graph, tmp_path / "e1"))
    again = asyncio.run(_import(empty_graph, [slices]))
    assert [f.status for f in again.files] == ["skipped"] * 3
    assert asyncio.run(_snapshot(empty_graph, tmp_path / "e2")) == first
    forced = asyncio.run(_import(empty_graph, [slices], ImportSettings(force=True)))
    assert [f.status for f in forced.files] == ["imported"] * 3
    assert asyncio.run(_snapshot(empty_graph, tmp_path / "e3")) == first


@pytest.mark.parametrize(
    ("fail_after", "tx_rows"),
    [
        (1, 40_000),  # after the first file's playlists
        (4, 40_000),  # after the whole first file (3 transactions) and its record
        (5, 100),  # in the middle of the first file's CONTAINS transactions
    ],
)
def test_interrupted_import_resumes_to_the_same_graph(
    empty_graph: Neo4jSettings, slices: Path, tmp_path: Path, fail_after: int, tx_rows: int
) -> None:
    # A reference graph from one clean run, then the same files interrupted and resumed.
    asyncio.run(_import(empty_graph, [slices]))
    reference = asyncio.run(_snapshot(empty_graph, tmp_path / "ref"))
    reset_graph(empty_graph)

    interrupted = ImportSettings(fail_after_transactions=fail_after, tx_rows=tx_rows, chunk_rows=50)
    with pytest.raises(ImportInterrupted):
        asyncio.run(_import(empty_graph, [slices], interrupted))
    partial = asyncio.run(_snapshot_counts(empty_graph))
    assert partial[1].get("CONTAINS", 0) < reference[1]["CONTAINS"]
    resumed = asyncio.run(_import(empty_graph, [slices]))
    assert "imported" in [f.status for f in resumed.files]
    assert asyncio.run(_snapshot(empty_graph, tmp_path / "resumed")) == reference


def _bad_files(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    not_mpd = folder / "mpd.slice.900-909.json"
    not_mpd.write_text(json.dumps({"info": {}, "rows": [1, 2, 3]}), encoding="utf-8")
    truncated = write_slice(folder, 910, [mpd_playlist(pid, [1, 2, 3]) for pid in range(910, 915)])
    text = truncated.read_text(encoding="utf-8")
    truncated.write_text(text[: len(text) * 2 // 3], encoding="utf-8")
    playlists = [mpd_playlist(pid, [4, 5, 6]) for pid in range(920, 925)]
    del playlists[3]["tracks"][1]["track_uri"]
    no_uri = write_slice(folder, 920, playlists)
    corrupt_gz = write_corrupt_gz_slice(
        folder, 930, [mpd_playlist(p, [7, 8]) for p in range(930, 990)]
    )
    cut_gz = write_slice(folder, 990, [mpd_playlist(p, [7, 8]) for p in range(990, 999)], gz=True)
    cut_gz.write_bytes(cut_gz.read_bytes()[:-40])
    return {"not_mpd": not_mpd, "truncated": truncated, "no_uri": no_uri,
            "corrupt_gz": corrupt_gz, "cut_gz": cut_gz}  # fmt: skip


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("not_mpd", "not an MPD slice"),
        ("truncated", "file ends early"),
        ("no_uri", "pid 923: track #1: missing 'track_uri'"),
        ("corrupt_gz", "corrupt compressed data"),
        ("cut_gz", "compressed file ends early"),
    ],
)
def test_bad_input_is_reported_and_the_other_files_imported(
    empty_graph: Neo4jSettings, tmp_path: Path, case: str, message: str
) -> None:
    good = make_slices(tmp_path / "good", files=2, per_file=10)
    bad = _bad_files(tmp_path / "bad")[case]
    summary = asyncio.run(_import(empty_graph, [good / sorted(p.name for p in good.iterdir())[0],
                                                bad, good]))  # fmt: skip
    assert [f.status for f in summary.files] == ["imported", "failed", "imported"]
    error = summary.failed[0].error or ""
    assert bad.name in error and message in error, error
    want = expected_counts(good)

    async def check() -> None:
        async with GraphStore(empty_graph) as store:
            nodes = await count_nodes(store)
            rels = await count_relationships(store)
        # nothing of the rejected file was written
        assert nodes["Playlist"] == want["playlists"]
        assert rels["CONTAINS"] == want["rows"]
        assert nodes["ImportFile"] == 2

    asyncio.run(check())


@pytest.mark.tensorflow
def test_export_and_train_on_imported_data(empty_graph: Neo4jSettings, tmp_path: Path) -> None:
    slices = make_slices(tmp_path / "mpd", files=2, per_file=80)
    asyncio.run(_import(empty_graph, [slices]))

    async def export() -> Any:
        async with GraphStore(empty_graph) as store:
            return await export_store(store, ExportSettings(out_dir=tmp_path / "export"))

    result = asyncio.run(export())
    assert result.playlists == 160
    from tunegraph.model.api import TrainSettings, train

    trained = train(
        TrainSettings(
            data_dir=tmp_path / "export",
            model_dir=tmp_path / "model",
            epochs=1,
            batch_size=256,
            embedding_dim=8,
            threads=1,
            save_index=False,
        )
    )
    assert trained.examples > 0
    assert (tmp_path / "model").is_dir()
    for metrics in trained.metrics.values():
        for name, value in metrics.items():
            assert 0.0 <= value <= (51.0 if name == "clicks" else 1.0), name


async def _playlists(settings: Neo4jSettings) -> dict[str, tuple[str, list[int]]]:
    async with GraphStore(settings) as store:
        rows = await store.run(
            "MATCH (p:Playlist) OPTIONAL MATCH (p)-[c:CONTAINS]->(t) "
            "WITH p, t ORDER BY c.position RETURN p.id AS id, p.name AS name, collect(t.id) AS t"
        )
    return {r["id"]: (r["name"], [int(t) for t in r["t"]]) for r in rows}


def test_a_pid_repeated_in_another_file_is_left_out_naming_both(
    empty_graph: Neo4jSettings, tmp_path: Path
) -> None:
    first, second = two_worlds(tmp_path)
    summary = asyncio.run(_import(empty_graph, [first, second]))
    assert [f.status for f in summary.files] == ["imported", "imported"]
    first_file, second_file = (str(f / "mpd.slice.0-2.json") for f in (first, second))
    assert summary.refused == [
        f"{second_file}: pid {pid} is already imported from {first_file}; this copy is left out"
        for pid in (1, 2)
    ]
    assert summary.playlists == 4 and summary.files[1].playlists == 1
    want = {f"mpd:{p}": (f"first {p}", [p, p + 1]) for p in range(3)}
    want["mpd:3"] = ("second 3", [53])
    assert asyncio.run(_playlists(empty_graph)) == want
    # a later run, the second world alone: still left out, nothing changes
    again = asyncio.run(_import(empty_graph, [second], ImportSettings(force=True)))
    assert len(again.refused) == 2 and asyncio.run(_playlists(empty_graph)) == want


def test_one_folder_named_two_ways_imports_once(
    empty_graph: Neo4jSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = two_worlds(tmp_path)
    monkeypatch.chdir(tmp_path)
    summary = asyncio.run(_import(empty_graph, [Path("first"), first.resolve(), Path("./first/")]))
    assert [f.status for f in summary.files] == ["imported"] and summary.refused == []
    again = asyncio.run(_import(empty_graph, [first.resolve()], ImportSettings(force=True)))
    assert [f.status for f in again.files] == ["imported"] and again.refused == []
    assert asyncio.run(_snapshot_counts(empty_graph))[0]["Playlist"] == 3


@pytest.mark.parametrize("pid", [2**63, -(2**63) - 1, 10**30])
def test_a_pid_beyond_64_bits_is_a_clear_error(tmp_path: Path, pid: int) -> None:
    path = write_slice(tmp_path, 0, [mpd_playlist(pid, [1])])
    rows = parse_slice_rows(path)
    assert rows.error == f"{path}: playlist #0: 'pid' is {pid}, beyond a 64-bit integer"
