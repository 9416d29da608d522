"""Which machines train together, and this process's place among them (no TensorFlow here).

The CLI parses ``--cluster``/``--worker-index`` (or ``TF_CONFIG``) into a ``Cluster``
and hands it to the model code in ``TrainSettings``; nothing below the CLI reads the
environment. Kept free of TensorFlow so ``--help`` and usage errors stay instant.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from tunegraph.errors import TunegraphError


class ClusterError(TunegraphError, ValueError):
    """A cluster description that cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class Cluster:
    """Every worker's ``host:port`` (the same list, in the same order, on every machine)
    and this process's index in it; index 0 is the chief, the one that writes the model."""

    workers: tuple[str, ...]
    index: int

    @property
    def is_chief(self) -> bool:
        return self.index == 0

    @property
    def size(self) -> int:
        return len(self.workers)

    def tf_config(self) -> str:
        """The ``TF_CONFIG`` JSON that describes this cluster, as TensorFlow reads it."""
        task = {"type": "worker", "index": self.index}
        return json.dumps({"cluster": {"worker": list(self.workers)}, "task": task})


def _address(text: str) -> str:
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ClusterError(f"worker address {text.strip()!r} is not host:port")
    return f"{host}:{int(port)}"


def parse_cluster(workers: str, index: int | None) -> Cluster:
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
    return Cluster(addresses, index)


def cluster_from_tf_config(text: str) -> Cluster | None:
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
    return parse_cluster(",".join(chief + workers), position)
