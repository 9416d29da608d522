"""Loopback ports for servers that a test or a benchmark starts for itself."""

from __future__ import annotations

import contextlib
import socket
import time


def free_ports(n: int) -> list[int]:
    """``n`` distinct ports nothing listens on now: the OS picks them, all held open at once."""
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(n)]
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in socks]


def free_port() -> int:
    """A port nothing listens on now, so a server a run starts never meets a user's."""
    return free_ports(1)[0]


def wait_for_port(port: int, timeout_s: float = 60) -> None:
    """Block until something listens on ``port`` (a server started in the background)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listened on port {port} within {timeout_s} s")
