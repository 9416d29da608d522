"""What a first load hands to Neo4j's offline importer, and what it needs from whoever runs it.

The graph side stages CSV files (``staging``) and checks the result (``bulk``);
running ``neo4j-admin import`` means stopping and starting a server, which is the job of
``tunegraph.neo4j_server``. The CLI joins the two with an ``OfflineLoader``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class InputGroup:
    """One --nodes or --relationships argument: the header file, then the data files.

    ``files`` may hold regular expressions on file names (the importer's own syntax), so
    a thousand slices do not make a thousand arguments.
    """

    entity: str  # "nodes" | "relationships"
    label: str
    header: Path
    files: tuple[str, ...]
    multiline: tuple[Path, ...] = ()


class OfflineLoader(Protocol):
    """Loads staged files into the empty default database behind one URI."""

    @property
    def scratch_dir(self) -> Path:
        """Where staged files go: the disk that must hold the database anyway."""
        ...

    def load(
        self, groups: list[InputGroup], work_dir: Path, on_stage: Callable[[str], None]
    ) -> None:
        """Replace the database with ``groups``; on failure it is left empty and running."""
        ...
