"""`tunegraph query` against the real Neo4j: formats, parameters, read-only, clear errors."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


def test_table_prints_markup_and_emoji_codes_literally(empty_graph: Neo4jSettings) -> None:
    result = run(empty_graph, "RETURN '[bold red]x[/bold red] :smile: :x:' AS `[i]c[/i]`")
    assert result.exit_code == 0, result.output
    assert "[bold red]x[/bold red] :smile: :x:" in result.output
    assert "[i]c[/i]" in result.output and "😄" not in result.output


@pytest.mark.parametrize(("fmt", "lines"), [("csv", 10_002), ("jsonl", 10_001), ("json", 10_003)])
def test_streamed_formats_print_every_row(empty_graph: Neo4jSettings, fmt: str, lines: int) -> None:
    result = run(empty_graph, "UNWIND range(1, 10001) AS i RETURN i", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == lines
    assert result.stderr == ""
    if fmt == "json":
        assert json.loads(result.stdout)[-1] == {"i": 10_001}


def test_the_table_says_on_stderr_when_it_stops(empty_graph: Neo4jSettings) -> None:
    capped = run(empty_graph, "UNWIND range(1, 10001) AS i RETURN i")
    assert capped.exit_code == 0, capped.stderr
    assert "│ 10000 │" in capped.stdout and "10001" not in capped.stdout
    assert "stopped after 10,000 rows" in capped.stderr
    asked = run(empty_graph, "UNWIND range(1, 10001) AS i RETURN i", "--limit", "20000")
    assert "│ 10001 │" in asked.stdout and asked.stderr == ""
    limited = run(
        empty_graph, "UNWIND range(1, 50) AS i RETURN i", "--format", "csv", "--limit", "3"
    )
    assert limited.stdout.splitlines() == ["i", "1", "2", "3"]
    assert "--limit" in limited.stderr


def test_rows_are_printed_as_they_arrive(empty_graph: Neo4jSettings) -> None:
    # the query fails at its last row: rows streamed before it are already out
    result = run(empty_graph, "UNWIND range(1, 5000) AS i RETURN 1 / (5000 - i) AS x",
                 "--format", "jsonl")  # fmt: skip
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) >= 1000
    assert "Traceback" not in result.output


def test_json_stays_json_for_non_finite_floats(empty_graph: Neo4jSettings) -> None:
    result = run(empty_graph, "RETURN 0.0/0.0 AS nan, 1.0/0.0 AS inf, [-1.0/0.0] AS l",
                 "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output

    def refuse(name: str) -> None:
        raise ValueError(name)

    assert json.loads(result.stdout, parse_constant=refuse) == [
        {"nan": "NaN", "inf": "Infinity", "l": ["-Infinity"]}
    ]


@pytest.mark.parametrize("value", ["99999999999999999999999", "[1, -99999999999999999999999]"])
def test_an_integer_beyond_64_bits_is_one_line(empty_graph: Neo4jSettings, value: str) -> None:
    result = run(empty_graph, "RETURN $x", "-p", f"x={value}")
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: --param x:") and "64-bit" in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_a_password_inside_the_uri_is_never_echoed(empty_graph: Neo4jSettings) -> None:
    result = run(empty_graph, "RETURN 1", NEO4J_URI="bolt://neo4j:uri-secret-4d2@127.0.0.1:9")
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "uri-secret-4d2" not in result.output
    assert "bolt://neo4j:***@127.0.0.1:9" in result.output


@pytest.fixture
def fetch_log() -> Iterator[tuple[str, list[str]]]:
    """A web server on loopback that logs what it is asked for (a CSV of one row)."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            body = b"a,b\n1,2\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/x.csv", asked
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "cypher",
    [
        "LOAD CSV FROM '{url}' AS row RETURN row",
        "load /* spelt */ csv with headers from '{url}' AS row RETURN row.a",
        "PROFILE LOAD CSV FROM '{url}' AS row RETURN count(row)",
        "CALL {{ LOAD CSV FROM '{url}' AS row RETURN row }} RETURN row",
    ],
)
def test_a_read_only_query_cannot_make_the_server_fetch_a_url(
    empty_graph: Neo4jSettings, fetch_log: tuple[str, list[str]], cypher: str
) -> None:
    url, asked = fetch_log
    refused = run(empty_graph, cypher.format(url=url))
    assert refused.exit_code == 1, refused.output
    assert "LOAD CSV is refused in a read-only query" in refused.output
    assert asked == []  # the server never fetched it


def test_the_help_examples_survive_bash() -> None:
    """Pasted into bash, each example reaches the command with its Cypher intact."""
    help_text = CliRunner().invoke(cli, ["query", "--help"]).output
    examples = [line.strip() for line in help_text.splitlines()
                if line.strip().startswith("tunegraph query ")]  # fmt: skip
    assert len(examples) >= 3
    for example in examples:
        printed = subprocess.run(
            ["bash", "-c", f"set -- {example.removeprefix('tunegraph query ')}; echo \"$1\""],
            capture_output=True, text=True, check=True, env={"PATH": os.environ["PATH"]},
        ).stdout.strip()  # fmt: skip
        assert printed == shlex.split(example)[2], example
