"""A watch process over TensorFlow's cluster handshake, which Python cannot interrupt.

While ``MultiWorkerMirroredStrategy`` waits for the other workers it holds the GIL in
C++: no Python thread of the training process runs, its Ctrl-C handler never does, and
TensorFlow catches SIGTERM. So the training process starts this small process (no
TensorFlow) for the handshake, in its own process group: it names the workers still
missing after a few seconds, and ends the training process after ``--cluster-timeout``
with one ``Error:`` line, or when a Ctrl-C (the terminal signals the whole group) or a
SIGTERM to the group reaches it. The training process stops the watch by closing the
watch's stdin when the handshake is over.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence

from tunegraph.model.twotower.cluster import Cluster, ClusterTimeout, accepts_connections, wait_for

ABORTED = 130


def say(line: str) -> None:
    """A line on stderr at once (the only way out while TensorFlow holds the process)."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def waiting_line(cluster: Cluster, absent: Sequence[str]) -> str:
    return (
        f"worker {cluster.index} of {cluster.size}: waiting for {', '.join(absent)} "
        f"(giving up after {cluster.timeout_s:g} s, --cluster-timeout)"
    )


def watch(cluster: Cluster, parent: int, done: int) -> int:
    """Until ``done`` (the parent's pipe) closes; ends the parent on a timeout, Ctrl-C or
    SIGTERM, and says why."""

    def missing() -> list[str]:
        absent = [w for w in cluster.others if not accepts_connections(w)]
        return absent or ["the other workers to finish starting"]

    def sleep(seconds: float) -> None:
        ready, _, _ = select.select([done], [], [], seconds)
        if ready and not os.read(done, 64):
            raise SystemExit(0)  # the handshake is over, or the parent is gone

    try:
        wait_for(
            missing,
            cluster.timeout_s,
            on_waiting=lambda absent: say(waiting_line(cluster, absent)),
            sleep=sleep,
        )
    except ClusterTimeout as exc:
        _stop(parent)
        say(f"Error: {exc}")
        return 1
    except KeyboardInterrupt:
        _stop(parent)
        say("Aborted!")
        return ABORTED
    return 0  # unreachable: ``missing`` never comes back empty


def _stop(parent: int) -> None:
    """SIGKILL: TensorFlow catches SIGTERM during the handshake and goes on waiting."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(parent, signal.SIGKILL)


@contextlib.contextmanager
def watched(cluster: Cluster) -> Iterator[None]:
    """Run the block (the handshake) under a watch process; stopped when it is over."""
    args = [str(os.getpid()), str(cluster.index), str(cluster.timeout_s), *cluster.workers]
    watcher = subprocess.Popen(
        [sys.executable, "-m", "tunegraph.model.twotower.cluster_watch", *args],
        stdin=subprocess.PIPE,
    )
    try:
        yield
    finally:
        assert watcher.stdin is not None
        watcher.stdin.close()
        watcher.wait()


def _interrupted(*_: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    parent, index, timeout_s, *workers = argv
    cluster = Cluster(tuple(workers), int(index), float(timeout_s))
    for stop in (signal.SIGINT, signal.SIGTERM):  # also where a shell left SIGINT ignored
        signal.signal(stop, _interrupted)
    return watch(cluster, int(parent), sys.stdin.fileno())


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
