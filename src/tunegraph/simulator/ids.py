"""Spotify-shaped identifiers and stable hashing.

Everything the simulator derives from a seed goes through these helpers, so a
world and the mess served on top of it are identical across runs and machines
(Python's built-in ``hash`` is salted per process and must not be used).

A Spotify id names one thing for ever, in every client's graph. Two generated
worlds (another seed, another size, another kind) are different catalogues, so
every id a world hands out hashes in that world's ``world_key``: the same id never
names two different things, whichever worlds one graph has crawled.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Mapping

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"  # user ids: lower case
ID_LENGTH = 22
EDITORIAL_PREFIX = "37i9dQZF1"
_ID_RE = re.compile(r"[0-9A-Za-z]{22}\Z")


def random_id(rng: random.Random, length: int = ID_LENGTH) -> str:
    """A base62 id drawn from ``rng`` (22 characters, like Spotify's)."""
    return "".join(rng.choice(BASE62) for _ in range(length))


def hashed_id(
    *parts: object, length: int = ID_LENGTH, prefix: str = "", alphabet: str = BASE62
) -> str:
    """An id derived from ``parts``: the same parts always give the same id."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=24).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(length - len(prefix)):
        number, rem = divmod(number, len(alphabet))
        chars.append(alphabet[rem])
    return prefix + "".join(chars)


def world_key(kind: str, identity: Mapping[str, object]) -> str:
    """A world's identity (its kind and every setting that shapes it) as one short key.

    Hashed into every id the world hands out, so worlds that differ in anything at all
    (seed, sizes, rates, kind) share no id.
    """
    settings = ",".join(f"{name}={identity[name]!r}" for name in sorted(identity))
    return hashed_id("world", kind, settings)


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
