"""`import_mpd_files`: the files are found first, then the reporter starts, then the path's
own work begins (no Neo4j: each case stops before a connection)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from support.mpd_files import mpd_playlist, write_slice
from tunegraph.datasets.mpd import MpdFormatError
from tunegraph.graphstore.mpd import BulkSettings, ImportReporter, OfflineLoader, import_mpd_files
from tunegraph.graphstore.settings import Neo4jSettings

NOWHERE = Neo4jSettings(uri="bolt://127.0.0.1:1")


class Recorder(ImportReporter):
    def __init__(self) -> None:
        self.started_with: list[tuple[str, int]] = []

    def started(self, stage: str, files: int) -> None:
        self.started_with.append((stage, files))


class NoServerHere(Exception):
    pass


def test_no_slice_file_fails_before_the_reporter_starts(tmp_path: Path) -> None:
    reporter = Recorder()
    with pytest.raises(MpdFormatError):
        asyncio.run(import_mpd_files(NOWHERE, [tmp_path / "missing.json"], reporter=reporter))
    assert reporter.started_with == []  # no progress bar for a command that found nothing


def test_bulk_starts_the_reporter_then_asks_for_its_loader(tmp_path: Path) -> None:
    write_slice(tmp_path, 0, [mpd_playlist(0, [1, 2])])
    write_slice(tmp_path, 1, [mpd_playlist(1, [2, 3])])
    reporter = Recorder()

    def loader(settings: Neo4jSettings) -> OfflineLoader:
        assert reporter.started_with == [("staging", 2)]
        raise NoServerHere(settings.uri)

    with pytest.raises(NoServerHere, match=re.escape(NOWHERE.uri)):
        asyncio.run(import_mpd_files(NOWHERE, [tmp_path], BulkSettings(), reporter, loader))


def test_a_bulk_import_without_a_loader_is_a_programming_error(tmp_path: Path) -> None:
    write_slice(tmp_path, 0, [mpd_playlist(0, [1, 2])])
    with pytest.raises(TypeError, match="offline_loader"):
        asyncio.run(import_mpd_files(NOWHERE, [tmp_path], BulkSettings()))
