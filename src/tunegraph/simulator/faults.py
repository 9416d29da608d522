"""Seeded fault injection: a share of API requests answered the way flaky networks answer.

Kinds: ``500``/``502``/``503`` error answers, ``latency`` (a delay, then a normal
answer), ``stall`` (a delay longer than a client's timeout), ``truncated`` (a
valid HTTP answer whose JSON body is cut short), ``malformed`` (a 200 whose body
is not JSON) and ``drop`` (the connection closes without an answer). The draw
sequence depends only on ``--fault-seed`` and the order requests arrive in.
"""

from __future__ import annotations

import random

FAULT_KINDS: tuple[str, ...] = (
    "500",
    "502",
    "503",
    "latency",
    "stall",
    "truncated",
    "malformed",
    "drop",
)
MALFORMED_BODY = b"<html><head><title>502 Bad Gateway</title></head><body>upstream</body></html>"


def parse_kinds(text: str) -> tuple[str, ...]:
    """``"500,stall"`` → ("500", "stall"); ``"all"`` → every kind; ValueError names a bad one."""
    if text.strip().lower() in ("", "all"):
        return FAULT_KINDS
    kinds = tuple(k.strip().lower() for k in text.split(",") if k.strip())
    unknown = [k for k in kinds if k not in FAULT_KINDS]
    if unknown:
        raise ValueError(f"unknown fault kind {unknown[0]!r}; choose from {', '.join(FAULT_KINDS)}")
    return kinds


class FaultInjector:
    """Draws, per API request, whether to inject a fault and which one."""

    def __init__(self, rate: float, seed: int, kinds: tuple[str, ...] = FAULT_KINDS) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"fault rate must be between 0 and 1, got {rate}")
        if not kinds:
            raise ValueError("at least one fault kind is needed")
        self.rate = rate
        self.kinds = kinds
        self._rng = random.Random(seed)
        self.injected: dict[str, int] = dict.fromkeys(kinds, 0)

    def draw(self) -> str | None:
        if self.rate <= 0.0:
            return None
        if self._rng.random() >= self.rate:
            return None
        kind = self._rng.choice(self.kinds)
        self.injected[kind] += 1
        return kind
