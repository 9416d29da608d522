"""Spotify-shaped identifiers and stable hashing.

Everything the simulator derives from a seed goes through these helpers, so a
world and the mess served on top of it are identical across runs and machines
(Python's built-in ``hash`` is salted per process and must not be used).
"""

from __future__ import annotations

import hashlib
import random
import re

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 22
EDITORIAL_PREFIX = "37i9dQZF1"
_ID_RE = re.compile(r"[0-9A-Za-z]{22}\Z")


def random_id(rng: random.Random, length: int = ID_LENGTH) -> str:
    """A base62 id drawn from ``rng`` (22 characters, like Spotify's)."""
    return "".join(rng.choice(BASE62) for _ in range(length))


def hashed_id(*parts: object, length: int = ID_LENGTH, prefix: str = "") -> str:
    """A base62 id derived from ``parts``: the same parts always give the same id."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=24).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(length - len(prefix)):
        number, rem = divmod(number, 62)
        chars.append(BASE62[rem])
    return prefix + "".join(chars)


def stable_unit(*parts: object) -> float:
    """A float in [0, 1) derived from ``parts``; a seeded coin that needs no state."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def is_spotify_id(value: str) -> bool:
    """True for a 22-character base62 id; anything else answers 400 like Spotify."""
    return _ID_RE.match(value) is not None


def is_editorial(playlist_id: str) -> bool:
    """Spotify-owned editorial playlists (``37i9dQZF1…``) answer 404 to third-party apps."""
    return playlist_id.startswith(EDITORIAL_PREFIX)
