"""The two towers of the retrieval model, built separately so each can be saved and served.

Towers take integer indices (0 = padding/unknown); ``string_query_model`` wraps a query
tower with the StringLookup that maps ids to those indices, for the saved index.
Candidate side features (artist, audio features with their mask) live in the tower as
constants gathered by track index, so the candidate tower needs only the track index.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tunegraph.model._tf import tf, tf_keras

QUERY_TOWERS: tuple[str, ...] = ("pooled", "id")


def _dense_stack(layers: Sequence[int], out_dim: int, name: str) -> tf_keras.Sequential:
    stack = [tf_keras.layers.Dense(n, activation="relu") for n in layers]
    stack.append(tf_keras.layers.Dense(out_dim))
    return tf_keras.Sequential(stack, name=name)


class IdQueryTower(tf_keras.Model):
    """Query = its own id: StringLookup index -> Embedding -> dense stack (the original design).

    Knows only queries seen in training; unknown ids share the OOV row 0.
    """

    def __init__(self, n_queries: int, dim: int, layers: Sequence[int] = (64,)) -> None:
        super().__init__(name="id_query_tower")
        self.embedding = tf_keras.layers.Embedding(n_queries + 1, dim)
        self.dense = _dense_stack(layers, dim, "query_dense")

    def call(self, query: tf.Tensor) -> tf.Tensor:
        return self.dense(self.embedding(query))


class PooledQueryTower(tf_keras.Model):
    """Query = masked mean of its tracks' embeddings -> dense stack.

    Serves any list of known tracks: a playlist never seen in training, or one a user
    just wrote. Input [B, L] track indices, 0 = padding.
    """

    def __init__(self, n_tracks: int, dim: int, layers: Sequence[int] = (64,)) -> None:
        super().__init__(name="pooled_query_tower")
        self.embedding = tf_keras.layers.Embedding(n_tracks + 1, dim)
        self.dense = _dense_stack(layers, dim, "query_dense")

    def call(self, context: tf.Tensor) -> tf.Tensor:
        mask = tf.cast(tf.not_equal(context, 0), tf.float32)[..., None]
        # each distinct track is looked up once: the embedding's gradient (and Adagrad's
        # sparse update, the costliest part of a step) then has a row per distinct track,
        # not one per context slot, padding included
        distinct, slot = tf.unique(tf.reshape(context, [-1]))
        vectors = tf.gather(self.embedding(distinct), slot)
        vectors = tf.reshape(vectors, tf.concat([tf.shape(context), [-1]], axis=0))
        summed = tf.reduce_sum(vectors * mask, axis=1)
        count = tf.reduce_sum(mask, axis=1)
        return self.dense(summed / tf.maximum(count, 1.0))


class CandidateTower(tf_keras.Model):
    """Track id embedding + first-artist embedding + audio features (masked) -> dense stack.

    Audio features enter as values times the mask plus the mask itself, so an absent
    feature is "unknown", never a fake zero the network could mistake for a value.
    """

    def __init__(
        self,
        n_tracks: int,
        artist_index: np.ndarray,
        n_artists: int,
        audio: np.ndarray,
        audio_mask: np.ndarray,
        dim: int,
        layers: Sequence[int] = (64,),
    ) -> None:
        super().__init__(name="candidate_tower")
        self.track_embedding = tf_keras.layers.Embedding(n_tracks + 1, dim)
        self.artist_embedding = tf_keras.layers.Embedding(n_artists + 1, max(8, dim // 2))
        self.artist_index = tf.constant(artist_index, tf.int32)
        self.use_audio = bool(np.asarray(audio_mask).any())
        self.audio = tf.constant(np.asarray(audio) * np.asarray(audio_mask)[:, None], tf.float32)
        self.audio_mask = tf.constant(np.asarray(audio_mask)[:, None], tf.float32)
        self.dense = _dense_stack(layers, dim, "candidate_dense")

    def call(self, track: tf.Tensor) -> tf.Tensor:
        parts = [
            self.track_embedding(track),
            self.artist_embedding(tf.gather(self.artist_index, track)),
        ]
        if self.use_audio:
            parts += [tf.gather(self.audio, track), tf.gather(self.audio_mask, track)]
        return self.dense(tf.concat(parts, axis=-1))


def string_query_model(
    tower: tf_keras.Model, kind: str, vocabulary: Sequence[str], normalize: bool
) -> tf_keras.Model:
    """Wrap an integer tower with StringLookup so a saved index takes ids as strings.

    ``id``: input [B] query ids. ``pooled``: input [B, L] track ids, "" as padding.
    """
    lookup = tf_keras.layers.StringLookup(vocabulary=list(vocabulary), num_oov_indices=1)
    if kind == "id":
        inputs = tf_keras.Input(shape=(), dtype=tf.string)
    else:
        inputs = tf_keras.Input(shape=(None,), dtype=tf.string)
    outputs = tower(tf.cast(lookup(inputs), tf.int32))
    if normalize:
        outputs = tf_keras.layers.UnitNormalization(axis=-1)(outputs)
    return tf_keras.Model(inputs, outputs, name=f"{kind}_query_model")
