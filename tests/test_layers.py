"""The declared layers: which part of tunegraph may import which (issue 22).

Every import of every module counts, a function's lazy one included, so a shortcut
through a late import is caught too. A new dependency between packages is a decision:
add it to LAYERS, with its reason, or move the code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "tunegraph"
# modules every part may use: errors, ids, titles, safe output files, the export format
BASE = {"errors", "ids", "titles", "outputs", "output_file", "redaction", "export_format"}
LAYERS: dict[str, set[str]] = {
    "datasets": set(),
    "simulator": {"datasets"},
    "graphstore": {"datasets"},
    "crawler": {"graphstore"},
    "neo4j_server": {"graphstore"},
    # the model never touches Neo4j; an explanation's Cypher is a string from graphstore
    "model": {"graphstore.explain_queries"},
    "serve": {"model"},
    "viz": {"graphstore"},
    "testing": {"graphstore", "neo4j_server", "datasets", "model"},
    "demo": {"crawler", "graphstore", "neo4j_server", "model", "simulator", "viz"},
    "cli": {"*"},
    "__init__": {"model"},
    "__main__": {"cli"},
}


SAME_PART = {"demo_presenter": "demo"}  # the demo's steps and what prints them: one part


def part_of(module: str) -> str:
    """``tunegraph.model.retrievers.als`` -> ``model``; ``tunegraph.ids`` -> ``ids``."""
    part = module.split(".")[1] if module.count(".") >= 1 else "__init__"
    return SAME_PART.get(part, part)


def imports_of(path: Path) -> set[str]:
    """Every ``tunegraph.*`` module the file imports, wherever the import sits."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "tunegraph":  # from tunegraph import export_format
                found |= {f"tunegraph.{a.name}" for a in node.names}
            elif node.module.startswith("tunegraph."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("tunegraph")}
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def allowed(source: str, target: str) -> bool:
    here, there = part_of(source), target.removeprefix("tunegraph.")
    if there in ("", "__version__") or part_of(target) in {here, *BASE}:
        return True
    rules = LAYERS.get(here, set())
    return "*" in rules or any(there == r or there.startswith(r + ".") for r in rules)


MODULES = sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_each_module_imports_only_what_its_layer_may(path: Path) -> None:
    source = module_name(path)
    bad = sorted(t for t in imports_of(path) if not allowed(source, t))
    assert not bad, f"{source} imports {', '.join(bad)}: not allowed by tests/test_layers.py"


def test_the_base_modules_stay_at_the_bottom() -> None:
    for name in sorted(BASE):
        path = SRC / f"{name}.py"
        above = {t for t in imports_of(path) if part_of(t) not in BASE}
        assert not above, f"tunegraph.{name} imports {sorted(above)}"


def test_no_package_cycle() -> None:
    edges: dict[str, set[str]] = {}
    for path in MODULES:
        here = part_of(module_name(path))
        edges.setdefault(here, set()).update(
            part_of(t) for t in imports_of(path) if part_of(t) != here
        )
    for start in edges:  # a cycle returns to where it started
        seen, todo = set(), list(edges[start])
        while todo:
            node = todo.pop()
            assert node != start, f"a package cycle through {start}"
            if node not in seen:
                seen.add(node)
                todo.extend(edges.get(node, ()))
