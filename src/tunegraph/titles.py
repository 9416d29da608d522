"""One rule for when two playlist titles are "the same": the model's name retrievers and
the Cypher behind an explanation both follow it, so their counts agree.

Case is ignored, ASCII punctuation and whitespace separate words, emoji and accents stay.
Cypher has no regular-expression replace, so the graph side lowercases, replaces each
character of ``TITLE_SEPARATORS`` (one string) with a space and compares the list of words.
"""

from __future__ import annotations

import re
import string

# every character Python's str.split() splits on, then ASCII punctuation
_WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
TITLE_SEPARATORS = _WHITESPACE + string.punctuation
_PUNCTUATION = re.compile("[" + re.escape(string.punctuation) + "]+")


def normalize_title(name: str | None) -> str:
    """The title's words, lowercased, joined by single spaces ("" for no title)."""
    return " ".join(_PUNCTUATION.sub(" ", (name or "").lower()).split())


def title_words(name: str | None) -> list[str]:
    return normalize_title(name).split()
