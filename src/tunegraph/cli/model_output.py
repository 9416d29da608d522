"""What `train`, `evaluate` and `recommend` print: metric tables, summaries, track lists.

Kept apart from model_cmds so the commands stay a thin shell; the model's result
types are named for type checking only (importing tunegraph.model.api loads TensorFlow).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from tunegraph.model.twotower.cluster import Cluster

if TYPE_CHECKING:
    from tunegraph.model.api import TrainResult
    from tunegraph.model.serving.answers import Because, Recommendation

METRICS = ("r_precision", "ndcg", "clicks", "recall@500", "recall@50")
CATEGORY_TITLE = "R-precision per challenge category (every method and metric in --json)"
CATEGORY_METHODS = ("tunegraph", "two-tower", "ALS")  # the model against its strongest baseline


def metrics_table(rows: dict[str, dict[str, float]], title: str) -> Table:
    """One row a model or baseline, one column a challenge metric."""
    table = Table(title=title)
    table.add_column("model", no_wrap=True)
    for name in METRICS:
        table.add_column(name, justify="right", no_wrap=True)
    for model, values in rows.items():
        table.add_row(model, *(f"{values[m]:.4f}" for m in METRICS))
    return table


def category_table(
    categories: dict[str, dict[str, dict[str, float]]], counts: dict[str, int], title: str
) -> Table:
    """One row a challenge category, one column the pipeline, the two-tower model alone and
    ALS: their R-precision (so the table fits a terminal; the JSON report has every method
    and metric)."""
    table = Table(title=title)
    table.add_column("category", no_wrap=True)
    table.add_column("lists", justify="right", no_wrap=True)
    present = next(iter(categories.values()), {})
    methods = [m for m in CATEGORY_METHODS if m in present]
    for method in methods:
        table.add_column(method, justify="right")
    for category, rows in categories.items():
        cells = (f"{rows[m]['r_precision']:.4f}" for m in methods)
        table.add_row(category, str(counts.get(category, "")), *cells)
    return table


def print_train_result(result: TrainResult, workers: Cluster | None, console: Console) -> None:
    """The test table and a summary line; a non-chief worker only says it did its share."""
    if workers is not None and not result.wrote_model:
        click.echo(
            f"worker {workers.index} of {workers.size} trained its share ({result.shard_policy}"
            f" sharding); val recall@50 {max(result.val_metric, default=0.0):.4f};"
            f" the chief (worker 0) writes the model"
        )
        return
    console.print(metrics_table(result.metrics, "held-out test playlists"))
    console.print(category_table(result.categories, result.category_playlists, CATEGORY_TITLE))
    best = result.metrics.get("tunegraph", result.metrics["two-tower"])
    als = result.metrics["ALS"]
    click.echo(
        f"trained {result.examples} examples x {result.epochs} epochs in {result.seconds:.1f}s"
        f" ({result.examples_per_second:,.0f} ex/s); test R-precision {best['r_precision']:.4f},"
        f" NDCG {best['ndcg']:.4f} (ALS {als['r_precision']:.4f}, {als['ndcg']:.4f});"
        f" ranker {result.ranker}; model in {result.model_dir}"
    )


def print_recommendations(recs: list[Recommendation], as_json: bool) -> None:
    """The list as JSON, or as a table of rank, track, artists and score (and why, when
    explained, with the command that shows the first one's playlists in the graph)."""
    if as_json:
        click.echo(json.dumps([r.as_json() for r in recs], indent=2, ensure_ascii=False))
        return
    explained = any(r.because is not None for r in recs)
    table = Table()
    for column, justify in (("#", "right"), ("track", "left"), ("artists", "left"),
                            ("score", "right")):  # fmt: skip
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    if explained:
        table.add_column("because", justify="left")
    for r in recs:
        row = [str(r.rank), r.name, ", ".join(r.artists), f"{r.score:.3f}"]
        if explained:
            row.append(because_text(r.because) if r.because else "")
        table.add_row(*row)
    Console().print(table)
    first = next((r for r in recs if r.because is not None), None)
    if first is not None and first.because is not None:
        click.echo(f"The playlists behind #{first.rank} in the graph (--json has every one's):")
        click.echo(first.because.query_command())


def because_text(why: Because) -> str:
    """One line: who proposed it, the seed it goes with most, artist, album, title."""
    parts = []
    if why.retrievers:
        ranked = sorted(why.retrievers.items(), key=lambda item: item[1])
        parts.append(", ".join(f"{source} #{rank}" for source, rank in ranked))
    if why.shared_seeds:
        top = why.shared_seeds[0]
        parts.append(f'{top.playlists} playlist(s) with "{top.name}"')
    if why.same_artist:
        parts.append(f"artist of {len(why.same_artist)} seed track(s)")
    if why.same_album:
        parts.append(f"album of {len(why.same_album)} seed track(s)")
    if why.same_title:
        parts.append(f"in {why.same_title} playlist(s) titled alike")
    return "; ".join(parts)
