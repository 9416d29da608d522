"""`tunegraph demo --out`: the folder holds what the demo writes and nothing else."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tunegraph.cli.main import cli

# not a loopback address by the demo's test, and nothing listens: no Neo4j is started
NOWHERE = "bolt://127.0.0.2:1"


def test_demo_refuses_a_folder_holding_files_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("keep")
    result = CliRunner().invoke(cli, ["demo", "--out", str(out), "--uri", NOWHERE])
    assert result.exit_code == 1, result.output
    assert "`tunegraph demo` did not write (thesis.tex)" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert sorted(p.name for p in out.iterdir()) == ["thesis.tex"]


@pytest.mark.tensorflow  # the demo loads TensorFlow before it looks for Neo4j
def test_demo_claims_a_new_folder_and_comes_back_to_it(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    for _ in range(2):  # the demo's own folder is accepted again on the next run
        result = CliRunner().invoke(cli, ["demo", "--out", str(out), "--uri", NOWHERE])
        assert result.exit_code == 1 and "cannot reach Neo4j" in result.output, result.output
    assert sorted(p.name for p in out.iterdir()) == [".tunegraph-output.json"]


def test_the_closing_hints_say_how_to_put_tunegraph_on_the_path(monkeypatch) -> None:
    """Issue 22: after `make demo` the first `tunegraph ...` typed was "command not found"."""
    from tunegraph.cli.demo_cmd import _activate_hint

    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    hint = _activate_hint()
    assert hint.startswith("Put tunegraph on your PATH first:  . ")
    assert Path(hint.split(". ", 1)[1].strip()).name == "activate"
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}:/usr/bin:/bin")
    assert _activate_hint() == ""
