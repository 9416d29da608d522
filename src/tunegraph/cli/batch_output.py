"""The batch mode of `tunegraph recommend` (--all | --playlists): progress, warnings, summary.

Kept apart from model_cmds so each module stays short; TensorFlow loads only when it runs.
Its errors reach the user through `recommend`'s `@cli_errors`.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from tunegraph.cli.common import bar_progress

SHOWN_WARNINGS = 5


def recommend_batch_cmd(
    model_dir: Path,
    playlists_file: Path | None,
    k: int,
    out: Path,
    out_format: str | None,
    team: str | None,
    email: str | None,
    threads: int | None,
) -> None:
    """The batch mode of `recommend`: a progress bar, the first warnings, a summary line."""
    from tunegraph.model.serving.batch import BatchSettings, recommend_batch

    settings = BatchSettings(
        model_dir=model_dir, out=out, playlists_file=playlists_file, k=k, threads=threads
    )
    settings.out_format = out_format or settings.out_format
    settings.team = team or settings.team
    settings.email = email or settings.email
    console = Console(stderr=True)
    with bar_progress(console) as progress:
        task = progress.add_task("loading the model", total=None, info="")

        def on_progress(done: int, total: int) -> None:
            progress.update(
                task,
                description="recommending",
                completed=done,
                total=total,
                info=f"{done:,}/{total:,} playlists",
            )

        result = recommend_batch(settings, on_progress=on_progress)
    for line in result.warnings[:SHOWN_WARNINGS]:
        click.echo(f"warning: {line}", err=True)
    if len(result.warnings) > SHOWN_WARNINGS:
        click.echo(f"... and {len(result.warnings) - SHOWN_WARNINGS} more warning(s)", err=True)
    click.echo(
        f"recommended {result.k} tracks for {result.playlists:,} playlists in"
        f" {result.seconds:.1f}s (model {result.model_seconds:.1f}s, files"
        f" {result.io_seconds:.1f}s); {len(result.warnings)} warning(s);"
        f" wrote {result.out} ({result.out_format})"
    )
