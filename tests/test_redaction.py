"""The one redaction every user-facing error goes through: secrets out, the rest intact."""

from __future__ import annotations

import pytest

from tunegraph.redaction import redact, shorten


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "at bolt://neo4j:pa55word@127.0.0.1:7687: down",
            "at bolt://neo4j:***@127.0.0.1:7687: down",
        ),
        ("Authorization: Bearer abc.DEF-123\r\nHost: x", "Authorization: ***\r\nHost: x"),
        ('{"authorization": "Basic dXNlcjpwYXNz"}', '{"authorization": "***"}'),
        ("sent Bearer abcdef123 twice", "sent Bearer *** twice"),
        ("grant_type=x&client_secret=s3cr3t&y=1", "grant_type=x&client_secret=***&y=1"),
        ('{"access_token": "tok-123"}', '{"access_token": "***"}'),
        ("NEO4J_PASSWORD=hunter22", "NEO4J_PASSWORD=***"),
        # ordinary text, and a path that merely ends in a secret-like word, stay as they are
        (
            "Cannot load 'file:///etc/passwd': Couldn't load",
            "Cannot load 'file:///etc/passwd': Couldn't load",
        ),
        ("check --token-url and NEO4J_PASSWORD", "check --token-url and NEO4J_PASSWORD"),
        ("the user access token was refused", "the user access token was refused"),
    ],
)
def test_patterns(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_known_values_are_masked_wherever_they_appear() -> None:
    assert redact("refused 'my-long-pass' for neo4j", ["my-long-pass", None, "ab"]) == (
        "refused '***' for neo4j"
    )
    assert redact("a b", ["ab"]) == "a b"  # too short to be taken for a secret


def test_shorten_makes_one_bounded_line() -> None:
    assert shorten("a\n b\t c") == "a b c"
    assert len(shorten("x" * 500, 50)) == 50
