"""The declared layers: which part of tunegraph may import which (issue 22).

Every import of every module counts, a function's lazy one included, so a shortcut
through a late import is caught too. A new dependency between packages is a decision:
add it to LAYERS, with its reason, or move the code. Inside the model the same holds for
its sub-packages (MODEL_LAYERS), and data and retrievers never reach TensorFlow.
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


# Inside the model: which sub-package may import which. The modules at the top of model/
# are shared leaves every sub-package may use (``_tf`` only where TensorFlow is allowed);
# ``api`` sits above everything, as the one entry the CLI, the server and the demo call.
MODEL = "tunegraph.model"
MODEL_LEAVES = {"errors", "stages", "metrics", "_tf", "_startup_log"}
MODEL_LAYERS: dict[str, set[str]] = {
    "data": set(),  # the export as arrays, the split, sparse helpers: the bottom
    "retrievers": {"data"},  # fitted on the playlist x track matrix of data
    "twotower": {"data"},  # the TFRS retrieval model trains on data's tables alone
    # merges the retrievers' candidates; the TFRS ranker draws batches as the two-tower does
    "ranker": {"data", "retrievers", "twotower"},
    "pipeline": {"data", "retrievers", "twotower", "ranker"},  # the stages put together, saved
    "serving": {"pipeline", "retrievers"},  # a loaded pipeline answers; explain reads Queries
    "evaluation": {"data", "retrievers", "pipeline"},  # scores the pipeline and the baselines
    "api": {"*"},  # the library API the CLI calls
}
# numpy and scipy only: the fast tier, the server's lookups and the benchmarks load them
# without TensorFlow, and nothing they reach may load it either
TF_FREE = ("data", "retrievers")
TENSORFLOW_MODULES = ("tensorflow", "tensorflow_recommenders", "tf_keras", f"{MODEL}._tf")


def model_part_of(module: str) -> str:
    """``tunegraph.model.retrievers.als`` -> ``retrievers``; ``tunegraph.model.api`` -> ``api``."""
    return module.removeprefix(f"{MODEL}.").split(".")[0]


MODEL_MODULES = sorted((SRC / "model").rglob("*.py"))


@pytest.mark.parametrize("path", MODEL_MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_each_model_module_imports_only_what_its_sub_package_may(path: Path) -> None:
    source = module_name(path)
    here = model_part_of(source) if source != MODEL else ""
    rules = MODEL_LAYERS.get(here, set())
    bad = []
    for target in sorted(imports_of(path)):
        if not target.startswith(f"{MODEL}."):
            continue
        there = model_part_of(target)
        if here in MODEL_LEAVES and there not in MODEL_LEAVES:
            bad.append(target)  # a leaf stays a leaf
        elif there not in {here, *MODEL_LEAVES} and "*" not in rules and there not in rules:
            bad.append(target)
    assert not bad, f"{source} imports {', '.join(bad)}: not allowed by MODEL_LAYERS"


def test_every_model_sub_package_has_its_layer() -> None:
    packages = {p.parent.name for p in (SRC / "model").glob("*/__init__.py")}
    assert packages == set(MODEL_LAYERS) - {"api"}, "declare the new sub-package in MODEL_LAYERS"


def test_no_model_sub_package_cycle() -> None:
    edges: dict[str, set[str]] = {}
    for path in MODEL_MODULES:
        here = model_part_of(module_name(path))
        edges.setdefault(here, set()).update(
            model_part_of(t) for t in imports_of(path) if t.startswith(f"{MODEL}.")
        )
        edges[here].discard(here)
    for start in edges:
        seen, todo = set(), list(edges[start])
        while todo:
            node = todo.pop()
            assert node != start, f"a cycle between model's sub-packages through {start}"
            if node not in seen:
                seen.add(node)
                todo.extend(edges.get(node, ()))


def all_imports_of(path: Path) -> set[str]:
    """Every module the file imports (any package), wherever the import sits."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found


def source_of(module: str) -> Path | None:
    """The file of a ``tunegraph`` module, or None for a name that is not one."""
    base = SRC.parent.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def reached_from(path: Path) -> dict[str, set[str]]:
    """Every tunegraph module the file reaches through imports (their packages included),
    each with its own imports. ``tunegraph/__init__.py`` is left out: it names the model's
    answer types for type checkers and loads them on first use only."""
    reached: dict[str, set[str]] = {}
    todo = [module_name(path)]
    while todo:
        module = todo.pop()
        file = source_of(module)
        if module in reached or module == "tunegraph" or file is None:
            continue
        reached[module] = all_imports_of(file)
        todo.extend(m for m in reached[module] if m.startswith("tunegraph"))
        todo.append(module.rpartition(".")[0])  # importing a module runs its package first
    return reached


TF_FREE_MODULES = [p for part in TF_FREE for p in sorted((SRC / "model" / part).rglob("*.py"))]


@pytest.mark.parametrize("path", TF_FREE_MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_data_and_retrievers_never_reach_tensorflow(path: Path) -> None:
    def tensorflow(name: str) -> bool:
        return any(name == t or name.startswith(t + ".") for t in TENSORFLOW_MODULES)

    bad = sorted(
        f"{module} imports {name}"
        for module, names in reached_from(path).items()
        for name in names
        if tensorflow(name)
    )
    assert not bad, f"{module_name(path)} must stay free of TensorFlow: {'; '.join(bad)}"
