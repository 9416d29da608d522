"""PNG charts: training curves, and model-vs-baselines bars (matplotlib, Agg: no display)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def plot_training_curves(
    losses: Sequence[float], val_metric: Sequence[float], metric_name: str, path: Path
) -> Path:
    """Loss per epoch and a validation metric per epoch, side by side."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    epochs = range(1, len(losses) + 1)
    left.plot(epochs, losses, marker="o")
    left.set(title="training loss (in-batch softmax)", xlabel="epoch", ylabel="loss")
    right.plot(range(1, len(val_metric) + 1), val_metric, marker="o", color="tab:green")
    right.set(title=f"validation {metric_name}", xlabel="epoch", ylabel=metric_name)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_comparison(rows: Mapping[str, Mapping[str, float]], path: Path, fmt: str = "png") -> Path:
    """Grouped bars: one group per metric, one bar per model/baseline."""
    names = list(rows)
    metrics = list(next(iter(rows.values())))
    width = 0.8 / max(1, len(names))
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(metrics)), 3.8))
    for i, name in enumerate(names):
        xs = [m + i * width for m in range(len(metrics))]
        ax.bar(xs, [rows[name][m] for m in metrics], width, label=name)
    ax.set_xticks([m + width * (len(names) - 1) / 2 for m in range(len(metrics))], metrics)
    ax.set_ylabel("score (held-out playlists)")
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100, format=fmt)
    plt.close(fig)
    return path
