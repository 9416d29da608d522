"""`import mpd --bulk`: Neo4j's offline importer on an instance of its own (it is stopped
and restarted), compared with the transactional import of the same files."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import tunegraph.neo4j_server as server
from graphstore.mpd.test_transactional import two_worlds
from support.mpd_files import mpd_playlist, write_corrupt_gz_slice, write_slice
from support.neo4j_fixtures import TEST_PASSWORD, free_port, reset_graph, start_instance
from tunegraph.cli.main import cli
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.mpd.bulk import BulkImportError, bulk_import_mpd
from tunegraph.graphstore.mpd.offline import InputGroup
from tunegraph.graphstore.mpd.staging import stage_mpd
from tunegraph.graphstore.mpd.transactional import import_mpd
from tunegraph.graphstore.schema import describe_schema
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.neo4j_server.errors import OfflineImportError
from tunegraph.neo4j_server.offline_import import (
    local_instance,
    local_offline_loader,
    offline_import,
)

NODES = "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props"
RELATIONSHIPS = (
    "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS type, properties(r) AS props, b.id AS b"
)


def awkward_slices(folder: Path) -> Path:
    """Values that CSV gets wrong easily: quotes, commas, line breaks, "" vs absent."""
    folder.mkdir()
    first = [
        mpd_playlist(0, [1, 2, 3], name='Say "hi", all', description="two\nlines"),
        mpd_playlist(1, [3, 4, 5, 1], name="Beyoncé, Missy ✨", description=""),
        mpd_playlist(2, [6, 7], name="cr\r\nlf"),
    ]
    write_slice(folder, 0, first)
    write_slice(folder, 3, [mpd_playlist(p, [p % 9, p % 9 + 10, 40]) for p in range(3, 12)])
    second_gz = [mpd_playlist(p, [p, p + 1, 2]) for p in range(12, 20)]
    write_slice(folder, 12, second_gz, gz=True)
    bad = folder / "mpd.slice.20-21.json"
    bad.write_text('{"info": {}, "playlists": [{"pid": 20, "name": "x", "tracks": [', "utf-8")
    write_corrupt_gz_slice(folder, 30, [mpd_playlist(p, [p, 3]) for p in range(30, 80)])
    return folder


@pytest.fixture(scope="module")
def bulk_server(
    neo4j_paths: server.LocalPaths, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Neo4jSettings]:
    """A second Neo4j: --bulk stops and starts the server it loads."""
    record = start_instance(neo4j_paths, tmp_path_factory.mktemp("bulk-neo4j"), pagecache_mb=128)
    yield Neo4jSettings(uri=record.uri, user="neo4j", password=TEST_PASSWORD)
    server.stop(neo4j_paths, record.port)


async def _count(settings: Neo4jSettings) -> int:
    async with GraphStore(settings) as store:
        return (await store.run("MATCH (n) RETURN count(n) AS n"))[0]["n"]


async def _dump(settings: Neo4jSettings) -> tuple[list[Any], list[Any]]:
    async with GraphStore(settings) as store:
        nodes = await store.run(NODES)
        rels = await store.run(RELATIONSHIPS)
    for row in nodes:
        row["props"].pop("imported_at", None)  # the time of the import

    def key(row: dict[str, Any]) -> str:  # not repr: the order of a node's keys may differ
        return json.dumps(row, sort_keys=True, default=str)

    return sorted(nodes, key=key), sorted(rels, key=key)


def test_bulk_builds_the_graph_the_transactional_import_builds(
    bulk_server: Neo4jSettings,
    empty_graph: Neo4jSettings,
    neo4j_paths: server.LocalPaths,
    tmp_path: Path,
) -> None:
    folder = awkward_slices(tmp_path / "mpd")
    env = {
        "NEO4J_URI": bulk_server.uri,
        "NEO4J_PASSWORD": TEST_PASSWORD,
        "TUNEGRAPH_STATE_DIR": str(neo4j_paths.state_dir),
        "TUNEGRAPH_CACHE_DIR": str(neo4j_paths.cache_dir),
    }
    result = CliRunner().invoke(cli, ["import", "mpd", "--bulk", "--no-progress", str(folder)],
                                env=env)  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "rejected: " in result.output and "mpd.slice.20-21.json" in result.output
    assert "mpd.slice.30-79.json.gz: corrupt compressed data" in result.output
    assert "2 of 5 file(s) rejected" in result.output
    assert "imported 3 file(s), 20 playlists" in result.output
    assert "import them without --bulk" in result.output

    async def transactional() -> None:
        async with GraphStore(empty_graph) as store:
            summary = await import_mpd(store, [folder])
        assert sorted(f.status for f in summary.files) == ["failed"] * 2 + ["imported"] * 3

    asyncio.run(transactional())
    bulk_nodes, bulk_rels = asyncio.run(_dump(bulk_server))
    nodes, rels = asyncio.run(_dump(empty_graph))
    assert bulk_nodes == nodes
    assert bulk_rels == rels
    descriptions = {r["props"]["name"]: r["props"].get("description") for r in nodes
                    if r["labels"] == ["Playlist"]}  # fmt: skip
    assert descriptions['Say "hi", all'] == "two\nlines"
    assert descriptions["Beyoncé, Missy ✨"] == ""
    assert descriptions["cr\r\nlf"] is None

    async def afterwards() -> None:
        async with GraphStore(bulk_server) as store:
            schema = await describe_schema(store)
            again = await import_mpd(store, [folder])
        assert {"playlist_id", "track_id", "import_file_id"} <= set(schema["constraints"])
        assert sorted(f.status for f in again.files) == ["failed"] * 2 + ["skipped"] * 3

    asyncio.run(afterwards())
    assert asyncio.run(_dump(bulk_server)) == (bulk_nodes, bulk_rels)

    # The graph is not empty any more: a second --bulk refuses before stopping anything.
    with pytest.raises(BulkImportError, match=r"holds .* nodes"):
        loader = local_offline_loader(neo4j_paths, bulk_server)
        asyncio.run(bulk_import_mpd(bulk_server, loader, sorted(folder.iterdir())))


def test_a_failed_offline_import_leaves_an_empty_database_and_a_running_server(
    bulk_server: Neo4jSettings, neo4j_paths: server.LocalPaths, tmp_path: Path
) -> None:
    header = tmp_path / "h.csv"
    header.write_text("id:ID(Track),name\n")
    broken = tmp_path / "1.csv"
    broken.write_text('"a","unterminated\n"b","x"\n')
    record = local_instance(neo4j_paths, bulk_server)
    with pytest.raises(OfflineImportError, match="the database was left empty"):
        offline_import(neo4j_paths, record, [InputGroup("nodes", "Track", header, (str(broken),))],
                       tmp_path)  # fmt: skip

    assert asyncio.run(_count(bulk_server)) == 0


def test_an_interrupted_offline_import_leaves_an_empty_database_and_a_running_server(
    bulk_server: Neo4jSettings, neo4j_paths: server.LocalPaths, tmp_path: Path
) -> None:
    folder = awkward_slices(tmp_path / "mpd")
    staging = stage_mpd(sorted(folder.iterdir()), tmp_path / "stage", workers=1)
    record = local_instance(neo4j_paths, bulk_server)

    def interrupt(stage: str) -> None:
        if stage.startswith("offline import:"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        offline_import(neo4j_paths, record, staging.input_groups(), tmp_path, interrupt)
    assert asyncio.run(_count(bulk_server)) == 0


def test_bulk_needs_a_local_instance(neo4j_paths: server.LocalPaths) -> None:
    remote = Neo4jSettings(uri="bolt://db.example.com:7687", user="neo4j", password="x" * 8)
    with pytest.raises(OfflineImportError, match="tunegraph neo4j start"):
        local_instance(neo4j_paths, remote)
    nobody = Neo4jSettings(uri=f"bolt://127.0.0.1:{free_port()}", user="neo4j", password="x" * 8)
    with pytest.raises(OfflineImportError, match="none runs at"):
        local_instance(neo4j_paths, nobody)


def test_bulk_and_force_is_a_usage_error(tmp_path: Path) -> None:
    folder = awkward_slices(tmp_path / "mpd")
    result = CliRunner().invoke(cli, ["import", "mpd", "--bulk", "--force", str(folder)])
    assert result.exit_code == 2
    assert "--force and --bulk" in result.output


def test_bulk_leaves_out_a_repeated_pid_as_the_transactional_import_does(
    bulk_server: Neo4jSettings,
    empty_graph: Neo4jSettings,
    neo4j_paths: server.LocalPaths,
    tmp_path: Path,
) -> None:
    reset_graph(bulk_server)  # an earlier test may have loaded it
    first, second = two_worlds(tmp_path)
    env = {
        "NEO4J_URI": bulk_server.uri,
        "NEO4J_PASSWORD": TEST_PASSWORD,
        "TUNEGRAPH_STATE_DIR": str(neo4j_paths.state_dir),
        "TUNEGRAPH_CACHE_DIR": str(neo4j_paths.cache_dir),
    }
    result = CliRunner().invoke(
        cli, ["import", "mpd", "--bulk", "--no-progress", str(first), str(second)], env=env
    )
    assert result.exit_code == 1, result.output
    first_file, second_file = (str(f / "mpd.slice.0-2.json") for f in (first, second))
    for pid in (1, 2):
        line = f"refused: {second_file}: pid {pid} is already imported from {first_file}"
        assert line in result.output, result.output
    assert "imported 2 file(s), 4 playlists" in result.output
    assert "2 playlist(s) left out" in result.output and "Traceback" not in result.output

    async def transactional() -> list[str]:
        async with GraphStore(empty_graph) as store:
            return (await import_mpd(store, [first, second])).refused

    assert len(asyncio.run(transactional())) == 2
    assert asyncio.run(_dump(bulk_server)) == asyncio.run(_dump(empty_graph))
