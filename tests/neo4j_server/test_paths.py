"""One exact Neo4j release, named by the launcher's pom.xml; an override gets jars of its own."""

from __future__ import annotations

import re
from pathlib import Path

from tunegraph.neo4j_server import default_paths, pinned_neo4j_version
from tunegraph.neo4j_server.paths import launcher_file

REPOSITORY = Path(__file__).resolve().parents[2]
README = REPOSITORY / "README.md"
COMPOSE_FILE = REPOSITORY / "docker-compose.yml"


def test_the_pom_pins_one_exact_526_release() -> None:
    version = pinned_neo4j_version()
    assert re.fullmatch(r"5\.26\.\d+", version), version
    assert f"<neo4j.version>{version}</neo4j.version>" in launcher_file("pom.xml").read_text()


def test_the_readme_names_the_pinned_release() -> None:
    assert f"Neo4j {pinned_neo4j_version()}" in README.read_text()


def test_docker_compose_runs_the_pinned_release() -> None:
    images = re.findall(r"^\s*image:\s*(\S+)", COMPOSE_FILE.read_text(), re.MULTILINE)
    assert images == [f"neo4j:{pinned_neo4j_version()}-community"]


def test_tunegraph_neo4j_version_overrides_the_pin_with_a_jar_folder_of_its_own(
    tmp_path: Path,
) -> None:
    pinned = default_paths({"TUNEGRAPH_CACHE_DIR": str(tmp_path)}, tmp_path)
    other = default_paths(
        {"TUNEGRAPH_CACHE_DIR": str(tmp_path), "TUNEGRAPH_NEO4J_VERSION": "5.26.1"}, tmp_path
    )
    assert pinned.neo4j_version == pinned_neo4j_version()
    assert other.neo4j_version == "5.26.1"
    assert pinned.jar_dir == tmp_path / f"neo4j-{pinned_neo4j_version()}" / "lib"
    assert other.jar_dir == tmp_path / "neo4j-5.26.1" / "lib"
