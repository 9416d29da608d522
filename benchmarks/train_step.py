"""Where a two-tower training step spends its time, and what larger batches or XLA buy.

On an export (default: an MPD-shaped one generated here), it takes the training pairs
the way ``tunegraph train`` does and times, per configuration (batch size, XLA), over
the same batches held in memory:

    input      the tf.data pipeline alone (index-shuffled batches, context gathering)
    towers     both towers' forward pass
    forward    towers + in-batch softmax loss (the B x B logits, accidental hits, logQ)
    gradients  forward + backward
    step       forward + backward + Adagrad update (what model.fit runs)

and prints milliseconds per step and examples per second for each, so the share of
the logits, the embedding gathers and the optimizer can be read off side by side.

    .venv/bin/python benchmarks/train_step.py --data ~/.cache/tunegraph-scale/n100000/export
    .venv/bin/python benchmarks/train_step.py --batch-sizes 1024 4096 --xla both
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from tunegraph.model._tf import configure_threads, tf, tf_keras
from tunegraph.model.data.export import load_export
from tunegraph.model.data.split import SplitSettings, split_playlists
from tunegraph.model.pipeline.training import query_index_of
from tunegraph.model.twotower.retrieval import (
    RetrievalConfig,
    build_model,
    context_matrix,
    training_dataset,
)


def generated_export(folder: Path, playlists: int) -> Path:
    from tunegraph.datasets.synthetic_mpd import MpdShape, generate_mpd
    from tunegraph.testing.export_dir import records_export

    world = generate_mpd(MpdShape(playlists=playlists, seed=2018))
    return records_export(folder / "export", list(world.iter_playlists()))


def timed(fn, batches: list, repeat: int) -> float:
    """Seconds per call of ``fn`` over ``batches`` (after one warm-up pass)."""
    for batch in batches[:2]:
        fn(batch)
    start = time.perf_counter()
    for _ in range(repeat):
        for batch in batches:
            out = fn(batch)
    if isinstance(out, tf.Tensor):
        out.numpy()
    return (time.perf_counter() - start) / (repeat * len(batches))


def profile(data, split, batch_size: int, xla: bool, steps: int, lr: float) -> dict[str, float]:
    tf_keras.utils.set_random_seed(7)
    config = RetrievalConfig()
    model = build_model(config, len(data.query_vocab), data.tracks)
    optimizer = tf_keras.optimizers.Adagrad(lr)
    rows, tracks = split.train_pairs()
    contexts = context_matrix(split.train_tracks, config.max_context, 7)
    row_query = query_index_of(data, np.arange(len(data.playlist_ids)))
    ds = training_dataset(config, rows, tracks, row_query, contexts, batch_size, 7)
    start = time.perf_counter()
    batches = list(ds.take(steps))
    input_s = (time.perf_counter() - start) / len(batches)
    variables = model.trainable_variables

    @tf.function(jit_compile=xla)
    def towers(b):
        return tf.reduce_sum(model.query_embedding(b["query"], True)) + tf.reduce_sum(
            model.candidate_embedding(b["track"], True)
        )

    @tf.function(jit_compile=xla)
    def forward(b):
        return model.compute_loss(b, training=True)

    @tf.function(jit_compile=xla)
    def gradients(b):
        with tf.GradientTape() as tape:
            loss = model.compute_loss(b, training=True)
        return tape.gradient(loss, variables)

    @tf.function
    def step(b):
        grads = gradients(b)
        optimizer.apply_gradients(zip(grads, variables, strict=True))
        return tf.constant(0.0)

    out = {"input": input_s}
    for name, fn in (("towers", towers), ("forward", forward), ("gradients", gradients)):
        out[name] = timed(fn, batches, 2)
    out["step"] = timed(step, batches, 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="an export folder (default: generate one)")
    parser.add_argument("--playlists", type=int, default=20_000, help="when generating")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1024, 2048, 4096])
    parser.add_argument("--xla", choices=["off", "on", "both"], default="both")
    parser.add_argument("--examples", type=int, default=200_000, help="timed per configuration")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    configure_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data or generated_export(Path(tmp), args.playlists)
        data = load_export(data_dir)
        split = split_playlists(data.playlist_tracks, SplitSettings())
    print(f"{len(data.playlist_ids):,} playlists, {data.n_tracks:,} tracks,"
          f" {len(split.train_pairs()[1]):,} training pairs")  # fmt: skip
    modes = {"off": [False], "on": [True], "both": [False, True]}[args.xla]
    print(f"\n{'batch':>6} {'xla':>4} " + " ".join(f"{n:>16}" for n in
          ("input", "towers", "forward", "gradients", "step")))  # fmt: skip
    for batch_size in args.batch_sizes:
        for xla in modes:
            steps = max(4, args.examples // batch_size)
            ms = profile(data, split, batch_size, xla, steps, 0.05)
            cells = " ".join(
                f"{ms[n] * 1e3:7.1f}ms {batch_size / ms[n]:>6,.0f}/s" for n in
                ("input", "towers", "forward", "gradients", "step")
            )  # fmt: skip
            print(f"{batch_size:>6} {'on' if xla else 'off':>4} {cells}", flush=True)


if __name__ == "__main__":
    main()
