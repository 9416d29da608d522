"""The docs hold: every command has --help with an example and is named in the README."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tunegraph.cli.main import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def command_paths(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        paths.append(path)
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, path))
    return paths


def test_the_cli_has_the_commands_the_readme_promises() -> None:
    top = {path[0] for path in command_paths()}
    assert {"neo4j", "query", "simulator", "crawl", "train", "evaluate", "recommend",
            "viz", "demo"} <= top  # fmt: skip


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"`tunegraph {' '.join(path)} --help` shows no example"
    leaf_example = "tunegraph " + " ".join(path)
    assert leaf_example in result.output, f"the example does not show `{leaf_example}`"


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_every_command_is_in_the_readme(path: tuple[str, ...]) -> None:
    assert f"tunegraph {' '.join(path)}" in README.read_text(), (
        f"README.md never mentions `tunegraph {' '.join(path)}`"
    )


def command_of(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_every_option_says_what_it_does(path: tuple[str, ...]) -> None:
    """Issue 22: `train --epochs`, `neo4j start --heap-mb` and others had no help text."""
    bare = [
        "/".join(param.opts)
        for param in command_of(path).params
        if isinstance(param, click.Option) and not param.hidden and not (param.help or "").strip()
    ]
    assert not bare, f"`tunegraph {' '.join(path)}`: options without help: {', '.join(bare)}"


DOCS = README.parent / "docs"
LINK = re.compile(r"\]\(([^)#\s]+\.md)(#[^)\s]+)?\)")


def anchors(path: Path) -> set[str]:
    """GitHub's anchors of a Markdown file's headings."""
    heads = re.findall(r"^#+ (.+)$", path.read_text(), flags=re.M)
    return {"#" + re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in heads}


@pytest.mark.parametrize("page", [README, *sorted(DOCS.glob("*.md"))], ids=lambda p: p.name)
def test_links_between_the_docs_resolve(page: Path) -> None:
    for target, anchor in LINK.findall(page.read_text()):
        path = (page.parent / target).resolve()
        assert path.is_file(), f"{page.name} links to {target}, which does not exist"
        assert not anchor or anchor in anchors(path), f"{page.name}: no {anchor} in {target}"


def test_the_readme_is_a_first_screen_and_links_every_doc() -> None:
    """Issue 22: 797 lines, half of them benchmark history; the rest lives in docs/."""
    text = README.read_text()
    assert len(text.splitlines()) < 350
    assert {p.name for p in DOCS.glob("*.md")} <= set(re.findall(r"docs/(\w+\.md)", text))
    first_screen = "\n".join(text.splitlines()[:40])
    assert ". .venv/bin/activate" in first_screen and "tunegraph --help" in first_screen
