"""`@cli_errors`: a library's domain error (a `TunegraphError`) ends in one line, anything
else, a `ValueError` or `OSError` from deep inside included, keeps its traceback."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from tunegraph.cli.common import SafeErrorsGroup, remember_secrets
from tunegraph.cli.errors import cli_errors
from tunegraph.crawler.errors import CrawlerError
from tunegraph.datasets.mpd import MpdFormatError
from tunegraph.errors import SettingsError, TunegraphError
from tunegraph.export_format import DataContractError
from tunegraph.graphstore.errors import GraphStoreError, Neo4jUnavailable
from tunegraph.model.errors import ModelError, UnknownIdError
from tunegraph.model.serving.batch_io import BatchFileError
from tunegraph.model.twotower.cluster import ClusterError
from tunegraph.neo4j_server.errors import LauncherError
from tunegraph.outputs import OutputError


def _cli_raising(error: BaseException) -> click.Group:
    @click.group(cls=SafeErrorsGroup)
    def root() -> None:
        """A root like tunegraph's."""

    @root.command()
    @cli_errors
    def go() -> None:
        raise error

    return root


@pytest.mark.parametrize(
    "error",
    [
        Neo4jUnavailable("cannot reach Neo4j at bolt://127.0.0.1:1"),
        CrawlerError("playlist id 'x' is not a Spotify id"),
        UnknownIdError("unknown playlist id 'p9'"),
        OutputError("`tunegraph demo` did not write (thesis.tex)"),
        SettingsError("fault rate must be between 0 and 1, got 1.5"),
    ],
)
def test_a_domain_error_is_one_line_and_exit_1(error: Exception) -> None:
    result = CliRunner().invoke(_cli_raising(error), ["go"])
    assert result.exit_code == 1
    assert result.output == f"Error: {error}\n"


@pytest.mark.parametrize(
    "error",
    [
        ValueError("operands could not be broadcast together with shapes (3,) (4,)"),
        PermissionError(13, "Permission denied", "/root/out.csv"),
        KeyError("oops"),
    ],
)
def test_anything_else_is_a_bug_and_keeps_its_traceback(error: Exception) -> None:
    result = CliRunner().invoke(_cli_raising(error), ["go"])
    assert result.exit_code == 1
    assert result.exception is error  # not dressed up as a message: click's runner keeps it
    assert "Error:" not in result.output


@pytest.mark.parametrize(
    "kind",
    [
        ModelError, OutputError, GraphStoreError, CrawlerError, DataContractError,
        MpdFormatError, ClusterError, LauncherError, BatchFileError, SettingsError,
    ],
)  # fmt: skip
def test_every_domain_error_has_the_one_root(kind: type[Exception]) -> None:
    assert issubclass(kind, TunegraphError)


def test_a_contradiction_among_options_is_a_usage_error() -> None:
    result = CliRunner().invoke(
        _cli_raising(ClusterError("--worker-index needs --cluster")), ["go"]
    )
    assert result.exit_code == 2
    assert "Error: --worker-index needs --cluster" in result.output


def test_the_root_still_masks_secrets_in_the_message() -> None:
    remember_secrets("s3cret-value-91")
    error = Neo4jUnavailable("auth failed for neo4j/s3cret-value-91 at bolt://u:pw@host:7687")
    result = CliRunner().invoke(_cli_raising(error), ["go"])
    assert result.exit_code == 1
    assert "s3cret-value-91" not in result.output and ":pw@" not in result.output
    assert "***" in result.output
