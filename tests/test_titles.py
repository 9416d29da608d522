"""The one rule for "the same title", in Python and as the Cypher side applies it."""

from __future__ import annotations

import pytest

from tunegraph.titles import TITLE_SEPARATORS, normalize_title, title_words


def cypher_words(name: str) -> list[str]:
    """What the explanation's Cypher does: lowercase, each separator to a space, split."""
    text = name.lower()
    for c in TITLE_SEPARATORS:
        text = text.replace(c, " ")
    return [w for w in text.split(" ") if w != ""]


def test_case_punctuation_and_spacing_do_not_count_emoji_and_accents_do() -> None:
    assert normalize_title("  Rock   HITS!! ") == "rock hits"
    assert normalize_title("chill 🔥") == "chill 🔥"
    assert normalize_title("Café") != normalize_title("Cafe")
    assert normalize_title(None) == "" and title_words("") == []


@pytest.mark.parametrize(
    "name",
    ["Road Trip!!", "road-trip", "  rock\tHITS\n", "chill 🔥 vibes", "80's", "a\u00a0b",
     "R&B / Soul", "(((x)))", "Été", "x\u3000y"],
)  # fmt: skip
def test_the_cypher_rule_gives_the_same_words(name: str) -> None:
    assert cypher_words(name) == title_words(name)
