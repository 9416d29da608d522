"""Secrets out of text meant for a person: error messages, reasons, one-line summaries.

Two kinds of secret are masked: those that look like one wherever they appear (the
password in ``scheme://user:password@host``, an ``Authorization`` header, a ``Bearer``
token, ``password=…``/``client_secret: …`` pairs), and the exact values a caller knows
to be secret (the Neo4j password, the client secret, an access token).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "***"
SHORTEST_SECRET = 4  # a shorter "secret" would mask ordinary words and digits

_SECRET_KEYS = (
    r"password|passwd|pwd|client[_-]?secret|access[_-]?token|refresh[_-]?token|"
    r"id[_-]?token|api[_-]?key|secret|token"
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # scheme://user:password@host → scheme://user:***@host
    (
        re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*):[^/\s@]*@"),
        rf"\g<head>:{MASK}@",
    ),
    # Authorization: <anything to the end of the header> (also as a JSON or dict entry)
    (
        re.compile(r"(?i)(?P<head>\b(?:proxy-)?authorization['\"]?\s*[:=]\s*['\"]?)[^\r\n'\",}]+"),
        rf"\g<head>{MASK}",
    ),
    # a scheme and its credentials, wherever they stand
    (re.compile(r"(?i)(?P<head>\b(?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]{4,}"), rf"\g<head>{MASK}"),
    # password=…, "client_secret": "…", access_token: … (not a path: /etc/passwd: …)
    (
        re.compile(
            rf"(?i)(?P<head>(?<![A-Za-z0-9/-])(?:{_SECRET_KEYS})['\"]?\s*[:=]\s*['\"]?)[^\s&'\",;}}]+"
        ),
        rf"\g<head>{MASK}",
    ),
)


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every secret it seems to hold, and every one of ``secrets``, masked."""
    for secret in sorted({s for s in secrets if s and len(s) >= SHORTEST_SECRET}, key=len)[::-1]:
        text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def shorten(text: str, limit: int = 200) -> str:
    """One line of at most ``limit`` characters: a server's error body can be anything."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
