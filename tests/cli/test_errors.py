"""`@cli_errors`: a library's domain error ends in one line, a bug keeps its traceback."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from tunegraph.cli.common import SafeErrorsGroup, remember_secrets
from tunegraph.cli.errors import cli_errors
from tunegraph.crawler.errors import CrawlerError
from tunegraph.graphstore.errors import Neo4jUnavailable
from tunegraph.model.cluster import ClusterError
from tunegraph.model.errors import UnknownIdError
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
        ValueError("fault rate must be between 0 and 1, got 1.5"),
    ],
)
def test_a_domain_error_is_one_line_and_exit_1(error: Exception) -> None:
    result = CliRunner().invoke(_cli_raising(error), ["go"])
    assert result.exit_code == 1
    assert result.output == f"Error: {error}\n"


def test_an_os_error_names_the_file() -> None:
    error = PermissionError(13, "Permission denied", "/root/out.csv")
    result = CliRunner().invoke(_cli_raising(error), ["go"])
    assert result.exit_code == 1
    assert result.output == "Error: /root/out.csv: Permission denied\n"


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


def test_a_bug_is_not_dressed_up_as_a_message() -> None:
    result = CliRunner().invoke(_cli_raising(KeyError("oops")), ["go"])
    assert result.exit_code == 1
    assert isinstance(result.exception, KeyError)
