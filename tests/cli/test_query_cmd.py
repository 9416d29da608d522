"""`tunegraph query` against the real Neo4j: formats, parameters, read-only, clear errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from tunegraph.cli.main import cli
from tunegraph.graphstore.settings import Neo4jSettings


def run(settings: Neo4jSettings, *args: str, **env: str) -> Result:
    base = {"NEO4J_URI": settings.uri, "NEO4J_USER": settings.user,
            "NEO4J_PASSWORD": settings.password}  # fmt: skip
    return CliRunner().invoke(cli, ["query", *args], env={**base, **env})


def test_read_query_prints_a_table(empty_graph: Neo4jSettings) -> None:
    result = run(empty_graph, "RETURN 1 AS one, 'x' AS letter")
    assert result.exit_code == 0, result.output
    assert "one" in result.output and "letter" in result.output
    assert "│ 1" in result.output


def test_write_is_refused_unless_allowed(empty_graph: Neo4jSettings) -> None:
    refused = run(empty_graph, "CREATE (:Playlist {id: 'new'})")
    assert refused.exit_code == 1
    assert "add --write" in refused.output
    assert "Traceback" not in refused.output
    assert run(empty_graph, "MATCH (p:Playlist {id: 'new'}) RETURN count(p) AS n",
               "--format", "json").output.strip().endswith("]")  # fmt: skip
    counted = json.loads(run(empty_graph, "MATCH (p:Playlist) RETURN count(p) AS n",
                             "--format", "json").output)  # fmt: skip
    assert counted == [{"n": 0}]

    allowed = run(empty_graph, "CREATE (p:Playlist {id: 'new'}) RETURN p.id AS id", "--write")
    assert allowed.exit_code == 0, allowed.output
    counted = json.loads(run(empty_graph, "MATCH (p:Playlist) RETURN count(p) AS n",
                             "--format", "json").output)  # fmt: skip
    assert counted == [{"n": 1}]


def test_parameters_take_json_or_strings(empty_graph: Neo4jSettings) -> None:
    result = run(empty_graph, "RETURN $ids AS ids, $name AS name, $n + 1 AS next",
                 "-p", 'ids=["a","b"]', "-p", "name=plain text", "--param", "n=41",
                 "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"ids": ["a", "b"], "name": "plain text", "next": 42}]


def test_csv_format_quotes_and_serialises(empty_graph: Neo4jSettings) -> None:
    result = run(empty_graph, "UNWIND [1, 2] AS i RETURN i, 'a,b' AS s, [i] AS l",
                 "--format", "csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["i,s,l", '1,"a,b",[1]', '2,"a,b",[2]']


def test_nodes_come_back_as_maps(empty_graph: Neo4jSettings) -> None:
    run(empty_graph, "CREATE (:Track {id: 't', name: 'Song'})", "--write")
    result = run(empty_graph, "MATCH (t:Track) RETURN t", "--format", "json")
    assert json.loads(result.output) == [{"t": {"labels": ["Track"], "id": "t", "name": "Song"}}]


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["MATC (n) RETURN n"], {}, "Cypher syntax error"),
        (["RETURN $missing"], {}, "--param"),
        (["RETURN 1", "--database", "nosuchdb"], {}, "does not exist"),
        (["RETURN 1"], {"NEO4J_PASSWORD": "wrong-password"}, "refused the credentials"),
        (["RETURN 1"], {"NEO4J_URI": "bolt://127.0.0.1:9"}, "cannot reach Neo4j"),
        (["RETURN 1", "-p", "no-equals-sign"], {}, "NAME=VALUE"),
    ],
)
def test_bad_input_ends_in_one_clear_line(
    empty_graph: Neo4jSettings, args: list[str], env: dict[str, str], expected: str
) -> None:
    result = run(empty_graph, *args, **env)
    assert result.exit_code != 0
    assert expected in result.output
    assert "Traceback" not in result.output
    assert "wrong-password" not in result.output and empty_graph.password not in result.output
