"""The one reading of a Bolt URI: a missing port is 7687, loopback is our local server's."""

from __future__ import annotations

import pytest

from tunegraph.graphstore.bolt_uri import BoltAddress, parse_bolt_uri


@pytest.mark.parametrize(
    ("uri", "address"),
    [
        ("bolt://127.0.0.1:7688", BoltAddress("127.0.0.1", 7688)),
        ("bolt://localhost", BoltAddress("localhost", 7687)),
        ("neo4j://LocalHost", BoltAddress("localhost", 7687)),
        ("bolt://[::1]:7690", BoltAddress("::1", 7690)),
        ("neo4j+s://db.example.com", BoltAddress("db.example.com", 7687)),
        ("bolt://neo4j:s3cret@db.example.com:7000", BoltAddress("db.example.com", 7000, "s3cret")),
    ],
)
def test_host_and_port_with_7687_when_absent(uri: str, address: BoltAddress) -> None:
    assert parse_bolt_uri(uri) == address


@pytest.mark.parametrize(
    ("uri", "loopback"),
    [
        ("bolt://127.0.0.1:7687", True),
        ("bolt://localhost", True),
        ("bolt://[::1]", True),
        ("bolt://127.0.0.2:1", False),  # answers locally, but no tunegraph server is there
        ("bolt://db.example.com:7687", False),
        ("bolt://localhost.example.com", False),
        ("bolt://:7687", False),
    ],
)
def test_loopback_is_the_local_servers_names_only(uri: str, loopback: bool) -> None:
    assert parse_bolt_uri(uri).is_loopback is loopback


@pytest.mark.parametrize("uri", ["bolt://localhost:port", "bolt://localhost:99999"])
def test_a_port_that_is_no_port_is_a_value_error(uri: str) -> None:
    with pytest.raises(ValueError, match=r"[Pp]ort"):
        parse_bolt_uri(uri)
