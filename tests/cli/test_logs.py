"""Library log output set at the edge: TF's start-up banner dropped, the Neo4j driver's
multi-line retry warnings one line each, real errors kept."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest
from neo4j import AsyncManagedTransaction
from neo4j.exceptions import ServiceUnavailable

from tunegraph.cli.logs import OneLineHandler, quiet_library_logs
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.model._startup_log import drop_startup_info

STARTUP = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1796025059.304907   18878 port.cc:153] oneDNN custom operations are on.\n"
    "I0000 00:00:1796025059.349086   18878 cpu_feature_guard.cc:227] This TensorFlow binary"
    " is optimized to use available CPU instructions.\n"
    "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild.\n"
    "W0000 00:00:1796025059.349086   18878 x.cc:1] a warning\n"
    "E0000 00:00:1796025061.417135   18878 loader.cc:52] could not load libfoo.so\n"
    "  it is needed for bar\n"
    "Traceback-like text from the loader\n"
)


def test_startup_banner_is_dropped_and_errors_kept() -> None:
    assert drop_startup_info(STARTUP) == (
        "E0000 00:00:1796025061.417135   18878 loader.cc:52] could not load libfoo.so\n"
        "  it is needed for bar\n"
        "Traceback-like text from the loader\n"
    )
    assert drop_startup_info("plain text\n") == "plain text\n"


def test_the_user_s_tf_log_level_is_kept() -> None:
    environ = {"TF_CPP_MIN_LOG_LEVEL": "0"}
    quiet_library_logs(environ)
    assert environ == {"TF_CPP_MIN_LOG_LEVEL": "0"}
    fresh: dict[str, str] = {}
    quiet_library_logs(fresh)
    assert fresh == {"TF_CPP_MIN_LOG_LEVEL": "3"}


@pytest.fixture
def driver_log() -> Iterator[None]:
    """The CLI's driver logging for one test, then the logger as it was."""
    logger = logging.getLogger("neo4j")
    before = (list(logger.handlers), logger.level, logger.propagate)
    quiet_library_logs({})
    yield
    logger.handlers[:] = before[0]
    logger.setLevel(before[1])
    logger.propagate = before[2]


def test_a_driver_retry_is_one_line(
    driver_log: None, empty_graph: Neo4jSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    attempts = []

    async def flaky(tx: AsyncManagedTransaction) -> int:
        attempts.append(1)
        if len(attempts) == 1:  # what a lost connection raises, message and all
            raise ServiceUnavailable("Couldn't connect to 127.0.0.1:7687:\nConnection refused")
        return (await (await tx.run("RETURN 1 AS n")).single())["n"]

    async def main() -> int:
        async with GraphStore(empty_graph) as store:
            return await store.write(flaky)

    assert asyncio.run(main()) == 1
    assert len(attempts) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("neo4j: Transaction failed and will be retried in ")
    assert "Connection refused" in lines[0]


def test_long_records_are_cut_and_errors_still_shown(capsys: pytest.CaptureFixture[str]) -> None:
    handler = OneLineHandler()
    record = logging.LogRecord("neo4j", logging.ERROR, "x", 1, "x" * 500 + "\nmore", (), None)
    handler.emit(record)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) <= len("neo4j: ") + 201
