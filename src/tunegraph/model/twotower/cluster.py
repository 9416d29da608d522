"""Which machines train together, and this process's place among them (no TensorFlow here).

The CLI parses ``--cluster``/``--worker-index`` (or ``TF_CONFIG``) into a ``Cluster``
and hands it to the model code in ``TrainSettings``; nothing below the CLI reads the
environment. Kept free of TensorFlow so ``--help`` and usage errors stay instant.

``wait_for`` is the one bounded wait on peers: TensorFlow itself waits for a missing
worker for ever, deaf to Ctrl-C, so a worker first waits here for the chief's port.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tunegraph.errors import TunegraphError
from tunegraph.model.errors import ModelError

DEFAULT_CLUSTER_TIMEOUT_S = 300.0
NOTICE_AFTER_S = 2.0  # a wait longer than this is announced, naming who is missing
PROBE_INTERVAL_S = 0.5


class ClusterError(TunegraphError, ValueError):
    """A cluster description that cannot be used; the message is one line for the user."""


class ClusterTimeout(ModelError):
    """Peers did not come within ``--cluster-timeout``."""


@dataclass(frozen=True)
class Cluster:
    """Every worker's ``host:port`` (the same list, in the same order, on every machine)
    and this process's index in it; index 0 is the chief, the one that writes the model."""

    workers: tuple[str, ...]
    index: int
    timeout_s: float = DEFAULT_CLUSTER_TIMEOUT_S  # how long to wait for the others to come

    @property
    def is_chief(self) -> bool:
        return self.index == 0

    @property
    def size(self) -> int:
        return len(self.workers)

    @property
    def others(self) -> tuple[str, ...]:
        return tuple(w for i, w in enumerate(self.workers) if i != self.index)

    def tf_config(self) -> str:
        """The ``TF_CONFIG`` JSON that describes this cluster, as TensorFlow reads it."""
        task = {"type": "worker", "index": self.index}
        return json.dumps({"cluster": {"worker": list(self.workers)}, "task": task})


def _address(text: str) -> str:
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ClusterError(f"worker address {text.strip()!r} is not host:port")
    return f"{host}:{int(port)}"


def parse_cluster(
    workers: str, index: int | None, timeout_s: float = DEFAULT_CLUSTER_TIMEOUT_S
) -> Cluster:
    """``host1:port,host2:port`` and this worker's index into it (0 = the chief)."""
    addresses = tuple(_address(w) for w in workers.split(",") if w.strip())
    if not addresses:
        raise ClusterError("the cluster lists no workers: give host:port,host:port")
    if len(set(addresses)) != len(addresses):
        raise ClusterError("the cluster lists a worker twice")
    if index is None:
        raise ClusterError("a cluster needs this worker's --worker-index (0 = the chief)")
    if not 0 <= index < len(addresses):
        raise ClusterError(f"worker index {index} is not in 0..{len(addresses) - 1}")
    if not timeout_s > 0:
        raise ClusterError("--cluster-timeout must be more than 0 seconds")
    return Cluster(addresses, index, timeout_s)


def cluster_from_tf_config(
    text: str, timeout_s: float = DEFAULT_CLUSTER_TIMEOUT_S
) -> Cluster | None:
    """Read a ``TF_CONFIG`` value; None when it describes no cluster (e.g. ``{}``).

    A ``chief`` task, if listed, comes first, then the ``worker`` tasks, so the chief
    (or worker 0) keeps index 0 and is the one that writes the model.
    """
    try:
        config = json.loads(text)
        cluster = config.get("cluster") or {}
        chief, workers = list(cluster.get("chief", [])), list(cluster.get("worker", []))
        if not chief and not workers:
            return None
        task = config.get("task") or {}
        kind, index = task.get("type", "worker"), int(task.get("index", 0))
    except (ValueError, TypeError, AttributeError) as exc:
        raise ClusterError(f"TF_CONFIG is not a TensorFlow cluster description: {exc}") from None
    if kind not in ("chief", "worker"):
        raise ClusterError(f"TF_CONFIG task type {kind!r}: only chief and worker tasks train")
    position = index if kind == "chief" else len(chief) + index
    return parse_cluster(",".join(chief + workers), position, timeout_s)


def accepts_connections(address: str, timeout_s: float = 1.0) -> bool:
    """Whether something listens on ``host:port`` (a TCP connect, closed at once)."""
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s):
            return True
    except (OSError, ValueError):
        return False


def wait_for(
    missing: Callable[[], Sequence[str]],
    timeout_s: float,
    *,
    on_waiting: Callable[[Sequence[str]], None],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    notice_after_s: float = NOTICE_AFTER_S,
    interval_s: float = PROBE_INTERVAL_S,
) -> None:
    """Until ``missing()`` names nothing; ``on_waiting`` once it has taken
    ``notice_after_s``; ``ClusterTimeout`` naming the missing after ``timeout_s``."""
    start = clock()
    announced = False
    while absent := list(missing()):
        waited = clock() - start
        if waited >= timeout_s:
            raise ClusterTimeout(
                f"gave up after {timeout_s:g} s waiting for {', '.join(absent)} "
                "(--cluster-timeout): start every worker of --cluster"
            )
        if not announced and waited >= notice_after_s:
            announced = True
            on_waiting(absent)
        sleep(min(interval_s, timeout_s - waited))


def wait_for_chief(
    cluster: Cluster,
    on_waiting: Callable[[Sequence[str]], None],
    probe: Callable[[str], bool] = accepts_connections,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """A worker's wait, before TensorFlow's: until the chief's port answers. (The chief
    has nothing to wait for here: the others listen only once they have seen it.)"""
    if cluster.is_chief:
        return
    chief = cluster.workers[0]
    wait_for(
        lambda: [] if probe(chief) else [f"the chief {chief}"],
        cluster.timeout_s,
        on_waiting=on_waiting,
        clock=clock,
        sleep=sleep,
    )
