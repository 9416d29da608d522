"""The one place TensorFlow is imported: Keras 2 (tf-keras) must be chosen before TF loads.

TFRS 0.7.7 works only with Keras 2; TensorFlow picks Keras 2 only when
``TF_USE_LEGACY_KERAS=1`` is set before its first import. Every model module imports
``tf``, ``tf_keras`` and ``tfrs`` from here, so that ordering cannot be got wrong.

TensorFlow's libraries also log a start-up banner while they load, before any log
level applies; ``_startup_log`` drops it. How much TF logs once loaded
(``TF_CPP_MIN_LOG_LEVEL``) is the caller's setting: the CLI sets it.
"""

from __future__ import annotations

import os

from tunegraph.model._startup_log import startup_banner_dropped

os.environ["TF_USE_LEGACY_KERAS"] = "1"  # before TensorFlow: the one environment write

with startup_banner_dropped():
    import tensorflow as tf
    import tensorflow_recommenders as tfrs
    import tf_keras

tf.get_logger().setLevel("ERROR")  # e.g. subclassed-Model get_config warnings on save

__all__ = ["configure_threads", "tf", "tf_keras", "tfrs"]


def configure_threads(threads: int | None) -> None:
    """Bound TF's thread pools (a shared 2-core host); no-op once TF has started executing."""
    if not threads:
        return
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:
        pass  # already initialised in this process: keep what it has
