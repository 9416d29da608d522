"""PNG charts: training curves, and the model against the baselines (matplotlib, Agg).

Each chart is built by a ``*_figure`` function that returns the Figure, so tests can
inspect its axes and texts, and saved by the ``plot_*`` function the callers use.
Figures are made without pyplot: no global state, no GUI backend, nothing to close.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from tunegraph.model.metrics import LOWER_IS_BETTER

COMPARISON_TITLE = "the model against the baselines on held-out playlists"
CLICKS = "clicks"
KEPT_COLOUR = "#D1495B"
# The pipeline stands out, the two-tower model alone is its lighter shade, baselines are muted.
METHOD_COLOURS = {
    "tunegraph": "#1B7F5B",
    "two-tower": "#7CC5A4",
    "popularity": "#B8B8B8",
    "co-occurrence": "#8DA0CB",
    "EASE": "#E5A66B",
    "ALS": "#B39DDB",
}
OTHER_COLOURS = ("#66C2A5", "#FC8D62", "#A6D854", "#FFD92F", "#E78AC3", "#999999")


def training_curves_figure(
    losses: Sequence[float],
    val_metric: Sequence[float],
    metric_name: str,
    best_epoch: int | None = None,
) -> Figure:
    """Loss and the validation metric per epoch side by side, the kept epoch marked on both
    (its weights are the model's, so the reader should see which point they came from)."""
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    left, right = fig.subplots(1, 2)
    left.plot(range(1, len(losses) + 1), losses, marker="o")
    left.set(title="training loss (in-batch softmax)", xlabel="epoch", ylabel="loss")
    right.plot(range(1, len(val_metric) + 1), val_metric, marker="o", color="tab:green")
    right.set(title=f"validation {metric_name}", xlabel="epoch", ylabel=metric_name)
    for ax in (left, right):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    if best_epoch is not None and 1 <= best_epoch <= len(val_metric):
        _mark_kept_epoch(left, right, best_epoch, val_metric[best_epoch - 1], metric_name)
    return fig


def _mark_kept_epoch(left: Axes, right: Axes, epoch: int, value: float, metric_name: str) -> None:
    """A dashed line at the kept epoch on both panels, its validation point circled; the
    legends say which epoch and its score (placed where they hide no point)."""
    left.axvline(
        epoch, color=KEPT_COLOUR, linestyle="--", linewidth=1, label=f"kept: epoch {epoch}"
    )
    right.axvline(epoch, color=KEPT_COLOUR, linestyle="--", linewidth=1)
    right.plot([epoch], [value], marker="o", markersize=12, markerfacecolor="none",
               markeredgecolor=KEPT_COLOUR, markeredgewidth=2, linestyle="none",
               label=f"kept: epoch {epoch}, {metric_name} {value:.3f}")  # fmt: skip
    for ax in (left, right):
        ax.legend(loc="best", fontsize=8, framealpha=0.9)


def plot_training_curves(
    losses: Sequence[float],
    val_metric: Sequence[float],
    metric_name: str,
    path: Path,
    best_epoch: int | None = None,
) -> Path:
    """Write the training curves (``best_epoch``, 1-based: the epoch whose weights were kept)."""
    training_curves_figure(losses, val_metric, metric_name, best_epoch).savefig(path, dpi=100)
    return path


def comparison_figure(
    rows: Mapping[str, Mapping[str, float]], title: str = COMPARISON_TITLE
) -> Figure:
    """Higher-is-better metrics grouped on one panel, Clicks (lower is better, 0–51) alone
    on another: on one axis Clicks' scale flattens the 0–1 scores and hides who leads."""
    names = list(rows)
    metrics = list(next(iter(rows.values())))
    scores = [m for m in metrics if m not in LOWER_IS_BETTER]
    lower = [m for m in metrics if m in LOWER_IS_BETTER]
    fig = Figure(figsize=(max(8.0, 1.5 * len(scores) + 3), 4.8), layout="constrained")
    if lower:
        ax, low = fig.subplots(1, 2, width_ratios=[max(1, len(scores)), 1.6])
    else:
        ax, low = fig.subplots(1, 1), None
    colours = _method_colours(names)
    _score_panel(ax, rows, names, scores, colours)
    if low is not None:
        _lower_panel(low, rows, names, lower[0], colours)
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(names), frameon=False)
    fig.suptitle(title, fontsize=12, fontweight="bold")
    return fig


def _method_colours(names: Sequence[str]) -> dict[str, str]:
    """The same colour for a method on every panel (tunegraph's the strongest)."""
    others = iter(OTHER_COLOURS * (1 + len(names) // len(OTHER_COLOURS)))
    return {name: METHOD_COLOURS.get(name) or next(others) for name in names}


def _score_panel(
    ax: Axes,
    rows: Mapping[str, Mapping[str, float]],
    names: Sequence[str],
    metrics: Sequence[str],
    colours: Mapping[str, str],
) -> None:
    """Grouped bars, one group per metric, each bar's value written above it."""
    width = 0.84 / max(1, len(names))
    top = max((rows[n][m] for n in names for m in metrics), default=1.0)
    texts = []
    for i, name in enumerate(names):
        xs = [m + (i - (len(names) - 1) / 2) * width for m in range(len(metrics))]
        bars = ax.bar(xs, [rows[name][m] for m in metrics], width * 0.92, label=name,
                      color=colours[name])  # fmt: skip
        texts.append(ax.bar_label(bars, fmt="%.3f", rotation=90, padding=2, fontsize=7))
    for j, metric in enumerate(metrics):
        _bold_best([t[j] for t in texts], [rows[n][metric] for n in names], lower_is_better=False)
    ax.set_xticks(range(len(metrics)), metrics)
    ax.set_ylim(0, max(top, 1e-9) * 1.22)
    ax.set_title("higher is better", fontsize=10)
    ax.set_ylabel("mean over held-out playlists")
    _tidy(ax)


def _lower_panel(
    ax: Axes,
    rows: Mapping[str, Mapping[str, float]],
    names: Sequence[str],
    metric: str,
    colours: Mapping[str, str],
) -> None:
    """One bar per method for a lower-is-better metric (Clicks), the value on each bar."""
    values = [rows[n][metric] for n in names]
    bars = ax.bar(range(len(names)), values, 0.75, color=[colours[n] for n in names])
    _bold_best(ax.bar_label(bars, fmt="%.2f", padding=2, fontsize=8), values, lower_is_better=True)
    ax.set_xticks(range(len(names)), names, rotation=35, ha="right", fontsize=8)
    ax.set_ylim(0, max(max(values, default=1.0), 1e-9) * 1.18)
    clicks = metric == CLICKS
    ax.set_title(f"{'Clicks' if clicks else metric}: lower is better", fontsize=10)
    ax.set_ylabel("pages of 10 before the first hit (51: none)" if clicks else metric)
    _tidy(ax)


def _bold_best(texts: Sequence[Text], values: Sequence[float], lower_is_better: bool) -> None:
    """Bold the best value's label among bars compared with each other (ties: all of them)."""
    best = min(values) if lower_is_better else max(values)
    for text, value in zip(texts, values, strict=True):
        if value == best:
            text.set_fontweight("bold")


def _tidy(ax: Axes) -> None:
    """No top or right frame, light horizontal grid lines behind the bars."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.yaxis.grid(alpha=0.3)
    ax.set_axisbelow(True)


def comparison_title(playlists: int, data_dir: Path) -> str:
    """Say which figures these are: how many held-out lists, of which export (its folder and
    the one above, since exports are often all called ``data``), split the challenge's way."""
    where = "/".join(Path(data_dir).resolve().parts[-2:])
    return (
        f"tunegraph against the baselines: {playlists:,} held-out playlists of {where}, "
        "challenge split"
    )


def plot_comparison(
    rows: Mapping[str, Mapping[str, float]],
    path: Path,
    fmt: str = "png",
    title: str = COMPARISON_TITLE,
) -> Path:
    """Write the comparison chart (``title``: which data and split the figures are from)."""
    comparison_figure(rows, title).savefig(path, dpi=100, format=fmt)
    return path
