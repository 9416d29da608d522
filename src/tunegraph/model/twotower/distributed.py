"""Training the two-tower model on several machines: the strategy and each worker's share.

Without a cluster the default strategy is used and nothing else changes. With one,
``tf.distribute.MultiWorkerMirroredStrategy`` keeps a copy of the model on every worker
and all-reduces the gradients of each step over gRPC, so every worker ends each step
with the same weights.

Sharding. Every worker reads the whole export anyway: the playlist split, the
vocabularies, validation and the ranker need all of it, and they are small beside the
training pairs. What is split is the stream of training examples. tf.data's own
``AutoShardPolicy.FILE`` cannot do that here: it recognises only TFRecord / text /
fixed-length readers in the input graph, and our pairs come from Parquet through numpy.
So each worker builds its own dataset (``distribute_datasets_from_function``, which
does no auto-sharding) and keeps:

- FILE (when the export has at least as many interaction part files as workers, and
  each worker gets some training pairs): the pairs of the playlists that start in part
  files ``i, i + n, i + 2n, ...``. A playlist's examples stay on one worker, and the
  shares follow how the exporter split the data (``export --shard-rows``), the same
  rule as TF's FILE policy (file i goes to worker i mod n).
- DATA (otherwise, e.g. one part file): every n-th pair, starting at the worker's index,
  as ``Dataset.shard(n, i)`` would; even shares from any number of files.

Shares may be uneven (FILE); the multi-worker iterator agrees across workers on when an
epoch ends, so a worker that runs out early feeds empty batches until the rest finish.

Waiting for the others. TensorFlow waits for a missing worker for ever, inside C++ where
Python's Ctrl-C handler never runs. So a worker first waits in Python for the chief's
port (``cluster.wait_for_chief``: a one-line error after ``cluster.timeout_s``), and the
strategy is created under a watch process (``cluster_watch``) that names the workers
still missing and ends this process after the timeout or on Ctrl-C; the chief's whole
wait is that one.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tunegraph.model._tf import tf
from tunegraph.model.twotower.cluster import Cluster, wait_for_chief
from tunegraph.model.twotower.cluster_watch import say, waiting_line, watched

FILE, DATA = "file", "data"


def make_strategy(
    cluster: Cluster | None, report: Callable[[str], None] = say
) -> tf.distribute.Strategy:
    """The default strategy without a cluster; else MultiWorkerMirroredStrategy over it.

    Must run before TensorFlow executes anything in this process (collective ops are
    configured at start-up). The cluster comes from the settings, not ``TF_CONFIG``.
    Raises ``ClusterTimeout`` when the chief does not come within ``cluster.timeout_s``.
    """
    if cluster is None:
        return tf.distribute.get_strategy()

    wait_for_chief(cluster, lambda absent: report(waiting_line(cluster, absent)))
    resolver = tf.distribute.cluster_resolver.SimpleClusterResolver(
        tf.train.ClusterSpec({"worker": list(cluster.workers)}),
        task_type="worker",
        task_id=cluster.index,
        rpc_layer="grpc",
    )
    ring = tf.distribute.experimental.CommunicationImplementation.RING  # CPU and GPU alike
    with watched(cluster):
        return tf.distribute.MultiWorkerMirroredStrategy(
            cluster_resolver=resolver,
            communication_options=tf.distribute.experimental.CommunicationOptions(
                implementation=ring
            ),
        )


def shard_policy(
    pair_rows: np.ndarray, playlist_part: np.ndarray | None, n_parts: int, workers: int
) -> str:
    """FILE where there are enough part files and none of the workers would go empty."""
    if playlist_part is None or n_parts < workers or len(pair_rows) == 0:
        return DATA
    counts = np.bincount(playlist_part[pair_rows] % workers, minlength=workers)
    return FILE if counts.min() > 0 else DATA


def worker_share(
    pair_rows: np.ndarray,
    playlist_part: np.ndarray | None,
    n_parts: int,
    workers: int,
    index: int,
) -> tuple[np.ndarray, str]:
    """Indices of the training pairs worker ``index`` of ``workers`` reads, and the policy."""
    policy = shard_policy(pair_rows, playlist_part, n_parts, workers)
    if policy == FILE:
        assert playlist_part is not None
        return np.flatnonzero(playlist_part[pair_rows] % workers == index), FILE
    return np.arange(index, len(pair_rows), workers), DATA
