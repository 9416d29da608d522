"""The evaluation and training-curve pictures, checked on their matplotlib Figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.axes import Axes

from tunegraph.model.evaluation.plots import (
    comparison_figure,
    comparison_title,
    plot_comparison,
    plot_training_curves,
    training_curves_figure,
)
from tunegraph.model.metrics import METRIC_NAMES

METHODS = ("two-tower", "tunegraph", "popularity", "co-occurrence", "EASE", "ALS")
CLICKS = {"two-tower": 4.2, "tunegraph": 2.1, "popularity": 9.5, "co-occurrence": 2.9,
          "EASE": 2.4, "ALS": 5.3}  # fmt: skip


def rows() -> dict[str, dict[str, float]]:
    """Six methods, every metric, tunegraph best on all but recall@10 (EASE's there)."""
    out = {}
    for i, method in enumerate(METHODS):
        lead = 0.1 if method == "tunegraph" else 0.01 * i
        values = {m: round(0.12 + lead + 0.02 * j, 3) for j, m in enumerate(METRIC_NAMES)}
        values["clicks"] = CLICKS[method]
        out[method] = values
    out["EASE"]["recall@10"] = 0.5
    return out


def texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


def bold(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_fontweight() == "bold"]


def test_clicks_has_a_panel_of_its_own_marked_lower_is_better() -> None:
    fig = comparison_figure(rows(), title="6 held-out playlists of demo/data")
    scores, clicks = fig.axes
    assert "lower is better" in clicks.get_title() and "Clicks" in clicks.get_title()
    assert "higher is better" in scores.get_title()
    assert [t.get_text() for t in clicks.get_xticklabels()] == list(METHODS)
    assert [t.get_text() for t in scores.get_xticklabels()] == [
        m for m in METRIC_NAMES if m != "clicks"
    ]
    assert [bar.get_height() for bar in clicks.patches] == [CLICKS[m] for m in METHODS]
    assert max(bar.get_height() for bar in scores.patches) < 1.0  # no 0–51 scale here
    assert fig.get_suptitle() == "6 held-out playlists of demo/data"
    assert [t.get_text() for t in fig.legends[0].get_texts()] == list(METHODS)


def test_bars_carry_their_values_and_the_best_is_bold() -> None:
    data = rows()
    scores, clicks = comparison_figure(data).axes
    assert texts(clicks) == [f"{CLICKS[m]:.2f}" for m in METHODS]
    assert bold(clicks) == ["2.10"]  # tunegraph's: fewest clicks
    expected = [f"{data[m][metric]:.3f}" for m in METHODS for metric in METRIC_NAMES
                if metric != "clicks"]  # fmt: skip
    assert texts(scores) == expected
    # one bold label per metric: tunegraph's six, and EASE's 0.500 on recall@10
    assert sorted(bold(scores)) == sorted(
        [f"{data['tunegraph'][m]:.3f}" for m in METRIC_NAMES if m not in ("clicks", "recall@10")]
        + ["0.500"]
    )


def test_comparison_title_names_the_playlists_the_data_and_the_split(tmp_path: Path) -> None:
    title = comparison_title(1234, tmp_path / "demo" / "data")
    assert "1,234 held-out playlists of demo/data" in title
    assert "challenge split" in title


@pytest.mark.parametrize(("fmt", "magic"), [("png", b"\x89PNG"), ("svg", b"<?xml")])
def test_plot_comparison_writes_the_format_asked(tmp_path: Path, fmt: str, magic: bytes) -> None:
    out = plot_comparison(rows(), tmp_path / f"e.{fmt}", fmt, title="t")
    assert out.read_bytes().startswith(magic)


def kept_lines(ax: Axes, epoch: int) -> list[object]:
    return [line for line in ax.get_lines() if list(line.get_xdata()) == [epoch, epoch]]


def test_the_kept_epoch_is_marked_on_both_curves(tmp_path: Path) -> None:
    losses = [812.4, 655.1, 590.3, 551.7, 530.2, 515.8, 505.1, 497.9, 492.0, 488.3]
    val = [0.102, 0.171, 0.205, 0.224, 0.236, 0.241, 0.244, 0.243, 0.240, 0.238]
    fig = training_curves_figure(losses, val, "recall@50", best_epoch=7)
    loss_ax, val_ax = fig.axes
    assert kept_lines(loss_ax, 7) and kept_lines(val_ax, 7)
    legend = [t.get_text() for t in val_ax.get_legend().get_texts()]
    assert legend == ["kept: epoch 7, recall@50 0.244"]
    circled = [line for line in val_ax.get_lines() if list(line.get_xdata()) == [7]]
    assert [list(line.get_ydata()) for line in circled] == [[0.244]]
    assert plot_training_curves(losses, val, "recall@50", tmp_path / "c.png", 7).stat().st_size


@pytest.mark.parametrize("best_epoch", [None, 0, 11])
def test_no_kept_epoch_no_mark(best_epoch: int | None) -> None:
    fig = training_curves_figure([3.0] * 10, [0.1] * 10, "recall@50", best_epoch=best_epoch)
    assert all(ax.get_legend() is None for ax in fig.axes)
    assert [len(ax.get_lines()) for ax in fig.axes] == [1, 1]
