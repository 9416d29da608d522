"""`tunegraph import mpd` and `tunegraph export` from the shell, against the real Neo4j."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from support.mpd_files import mpd_playlist, write_corrupt_gz_slice, write_slice
from tunegraph import export_format as F
from tunegraph.cli.main import cli
from tunegraph.graphstore.settings import Neo4jSettings


def run(settings: Neo4jSettings, *args: str) -> Result:
    env = {"NEO4J_URI": settings.uri, "NEO4J_USER": settings.user,
           "NEO4J_PASSWORD": settings.password}  # fmt: skip
    return CliRunner().invoke(cli, list(args), env=env)


def slices(folder: Path) -> Path:
    folder.mkdir()
    for f in range(2):
        playlists = [mpd_playlist(pid, [pid % 11 + k for k in range(6)]) for pid in
                     range(f * 10, f * 10 + 10)]  # fmt: skip
        write_slice(folder, f * 10, playlists)
    return folder


def test_import_then_rerun_then_export(empty_graph: Neo4jSettings, tmp_path: Path) -> None:
    folder = slices(tmp_path / "mpd")
    first = run(empty_graph, "import", "mpd", str(folder), "--no-progress")
    assert first.exit_code == 0, first.output
    assert "imported 2 file(s), 20 playlists, 120 playlist-track rows" in first.output
    again = run(empty_graph, "import", "mpd", str(folder), "--no-progress")
    assert again.exit_code == 0, again.output
    assert "imported 0 file(s)" in again.output and "skipped 2" in again.output

    out = tmp_path / "export"
    exported = run(empty_graph, "export", "--out", str(out), "--no-progress")
    assert exported.exit_code == 0, exported.output
    assert "exported 120 interactions of 20 playlists" in exported.output
    manifest = json.loads((out / F.MANIFEST_FILE).read_text())
    assert manifest[F.MANIFEST_COUNTS]["interactions"] == 120


def test_progress_into_a_log_file_is_a_line_per_step(
    empty_graph: Neo4jSettings, tmp_path: Path
) -> None:
    """Issue 22: where no bar can draw (CliRunner, like a log file), a line per file."""
    imported = run(empty_graph, "import", "mpd", str(slices(tmp_path / "mpd")))
    assert imported.exit_code == 0, imported.output
    assert "[import] 1/2 files" in imported.output and "[import] 2/2 files" in imported.output
    exported = run(empty_graph, "export", "--out", str(tmp_path / "export"))
    assert exported.exit_code == 0, exported.output
    assert "interactions: 120 rows" in exported.output

    # MPD playlists have no owner: --query-entity owner says so in one line.
    owner = run(empty_graph, "export", "--out", str(tmp_path / "o"), "--query-entity", "owner")
    assert owner.exit_code == 1
    assert "no playlist in the graph has an owner" in owner.output
    assert "--query-entity playlist" in owner.output
    assert "Traceback" not in owner.output


def test_bad_file_is_named_others_imported_exit_non_zero(
    empty_graph: Neo4jSettings, tmp_path: Path
) -> None:
    folder = slices(tmp_path / "mpd")
    bad = folder / "mpd.slice.100-109.json"
    bad.write_text('{"info": {}, "playlists": [{"pid": 100, "name": "x"', encoding="utf-8")
    corrupt = write_corrupt_gz_slice(folder, 5, [mpd_playlist(p, [1, 2]) for p in range(5, 9)])
    result = run(empty_graph, "import", "mpd", str(folder), "--no-progress")
    assert result.exit_code == 1
    assert "imported 2 file(s)" in result.output
    assert f"rejected: {bad}" in result.output and "file ends early" in result.output
    assert f"rejected: {corrupt}: corrupt compressed data" in result.output
    assert (
        "2 of 4 file(s) rejected (mpd.slice.100-109.json, mpd.slice.5-8.json.gz)" in result.output
    )
    assert "Traceback" not in result.output


def test_missing_path_and_empty_graph_are_one_line_errors(
    empty_graph: Neo4jSettings, tmp_path: Path
) -> None:
    missing = run(empty_graph, "import", "mpd", str(tmp_path / "nope"))
    assert missing.exit_code == 1
    assert "no such file or folder" in missing.output and "Traceback" not in missing.output
    empty = run(empty_graph, "export", "--out", str(tmp_path / "e"), "--no-progress")
    assert empty.exit_code == 1
    assert "no playlist with tracks" in empty.output and "Traceback" not in empty.output


def test_help_has_examples() -> None:
    for args in (["import", "--help"], ["import", "mpd", "--help"], ["export", "--help"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0 and "Example:" in result.output
