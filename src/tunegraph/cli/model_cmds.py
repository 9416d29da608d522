"""`tunegraph train | evaluate | recommend`: parse options, call tunegraph.model.api, print.

TensorFlow loads only when a command runs (not for --help), via tunegraph.model.api.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

from tunegraph.cli.common import bar_progress, remember_secrets
from tunegraph.cli.errors import cli_errors
from tunegraph.cli.model_output import (
    CATEGORY_TITLE,
    category_table,
    metrics_table,
    print_recommendations,
    print_train_result,
)
from tunegraph.model.twotower.cluster import DEFAULT_CLUSTER_TIMEOUT_S, Cluster

if TYPE_CHECKING:
    from tunegraph.model.api import TrainResult, TrainSettings


def _cluster_option(
    cluster: str | None, worker_index: int | None, timeout_s: float
) -> Cluster | None:
    """The cluster from --cluster/--worker-index, else TF_CONFIG (a bad one: ClusterError).

    This is the edge: with --cluster it also writes TF_CONFIG, before TensorFlow starts,
    so TensorFlow tools started from here see the same cluster; the model code itself
    takes the cluster from the settings.
    """
    from tunegraph.model.twotower.cluster import ClusterError, cluster_from_tf_config, parse_cluster

    if cluster is not None:
        parsed = parse_cluster(cluster, worker_index, timeout_s)
        os.environ["TF_CONFIG"] = parsed.tf_config()
        return parsed
    if worker_index is not None:
        raise ClusterError("--worker-index needs --cluster")
    tf_config = os.environ.get("TF_CONFIG", "").strip()
    return cluster_from_tf_config(tf_config, timeout_s) if tf_config else None


MODEL_OPTION = click.option(
    "--model",
    "model_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="A model folder written by `tunegraph train --out`.",
)


@click.command("train")
@click.option(
    "--data",
    "data_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Export directory (tunegraph export --out DIR).",
)
@click.option(
    "--out",
    "model_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Model directory to write (replaced whole if it holds an earlier model and nothing else).",
)
@click.option(
    "--epochs",
    default=10,
    show_default=True,
    type=click.IntRange(1),
    help="Two-tower training epochs; the best on validation playlists is kept.",
)
@click.option(
    "--batch-size",
    default=1024,
    show_default=True,
    type=click.IntRange(2),
    help="Examples per step; the others in a batch are each one's negatives.",
)
@click.option(
    "--embedding-dim",
    default=32,
    show_default=True,
    type=click.IntRange(2),
    help="Size of the two-tower model's track and query embeddings.",
)
@click.option(
    "--learning-rate",
    default=0.05,
    show_default=True,
    type=click.FloatRange(0, min_open=True),
    help="The two-tower optimizer's learning rate.",
)
@click.option(
    "--seed", default=42, show_default=True, type=int,
    help="Seed of the split, the initial weights and the samples: same seed, same model.",
)  # fmt: skip
@click.option(
    "--query-tower",
    type=click.Choice(["pooled", "id"]),
    default="pooled",
    show_default=True,
    help="pooled: the playlist's own tracks (serves unseen playlists); "
    "id: an embedding per query id.",
)
@click.option(
    "--ranker",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", "tfrs", "gbdt", "none"]),
    help="What orders the candidates: tfrs (a listwise TFRS model), gbdt (LightGBM"
    " lambdarank); auto keeps the better on validation; none serves the two-tower model alone.",
)
@click.option("--threads", type=click.IntRange(1), default=None, help="TensorFlow threads.")
@click.option(
    "--cluster",
    default=None,
    metavar="HOST:PORT,...",
    help="Train the two-tower model on several machines: every worker's address, the same"
    " list on each (default: TF_CONFIG if set, else this machine alone).",
)
@click.option(
    "--worker-index",
    type=click.IntRange(0),
    default=None,
    help="This machine's place in --cluster; worker 0 is the chief and writes --out.",
)
@click.option(
    "--cluster-timeout",
    "cluster_timeout",
    type=click.FloatRange(0, min_open=True),
    default=DEFAULT_CLUSTER_TIMEOUT_S,
    show_default=True,
    help="Seconds a worker waits for the others of --cluster before it gives up.",
)
@click.option(
    "--worker-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Where a non-chief worker writes its copy of the model  [default: a temporary"
    " directory, removed]",
)
@cli_errors
def train_cmd(
    data_dir: Path,
    model_dir: Path,
    epochs: int,
    batch_size: int,
    embedding_dim: int,
    learning_rate: float,
    seed: int,
    query_tower: str,
    ranker: str,
    threads: int | None,
    cluster: str | None,
    worker_index: int | None,
    cluster_timeout: float,
    worker_dir: Path | None,
) -> None:
    """Train the retrieval and ranking models on an export, and score them on held-out playlists.

    On several machines, run the same command on each with --cluster listing every
    worker and --worker-index its own place (or set TF_CONFIG); the export must be
    readable on all of them, and worker 0 writes the model.

    \b
    Example:
      tunegraph train --data export/ --out models/v1 --epochs 10 --query-tower pooled
      tunegraph train --data /shared/export --out models/v1 \\
          --cluster host1:2222,host2:2222 --worker-index 0   # on host1; 1 on host2
    """
    workers = _cluster_option(cluster, worker_index, cluster_timeout)
    from tunegraph.model.api import TrainSettings

    settings = TrainSettings(
        data_dir=data_dir,
        model_dir=model_dir,
        epochs=epochs,
        batch_size=batch_size,
        embedding_dim=embedding_dim,
        learning_rate=learning_rate,
        seed=seed,
        query_tower=query_tower,
        ranker=ranker,
        threads=threads,
        cluster=workers,
        worker_dir=worker_dir,
    )
    console = Console(stderr=True)
    print_train_result(_train_with_progress(settings, console), workers, console)


def _train_with_progress(settings: TrainSettings, console: Console) -> TrainResult:
    """Train with a progress bar: the stage, or the epoch with its loss and val recall@50;
    where no bar can draw (a log file, a pipe), a line for each instead."""
    from tunegraph.model.api import train

    lines = not console.is_terminal
    with bar_progress(console) as progress:
        task = progress.add_task("starting", total=settings.epochs, info="")

        def on_epoch(epoch: int, total: int, loss: float, metric: float) -> None:
            info = f"loss {loss:.2f}  val recall@50 {metric:.4f}"
            progress.update(task, completed=epoch, description=f"epoch {epoch}/{total}", info=info)
            if lines:
                console.print(
                    f"[train] epoch {epoch}/{total}: {info}", markup=False, highlight=False
                )

        def on_stage(message: str) -> None:
            progress.update(task, description=message)
            if lines:
                console.print(f"[train] {message}", markup=False, highlight=False)

        return train(settings, on_epoch=on_epoch, on_stage=on_stage)


@click.command("evaluate")
@MODEL_OPTION
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Export directory (default: the one the model was trained on).",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write the figures (overall and per challenge category) as JSON to this file.",
)
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Also draw model-vs-baselines bars as PNG.",
)
@click.option("--threads", type=click.IntRange(1), default=None, help="TensorFlow threads.")
@cli_errors
def evaluate_cmd(
    model_dir: Path,
    data_dir: Path | None,
    json_path: Path | None,
    plot_path: Path | None,
    threads: int | None,
) -> None:
    """Score a trained model and the baselines (popularity, co-occurrence, EASE, ALS) on its
    test split, overall and per RecSys 2018 challenge category (title only, title + first
    1, first 5 with and without title, ..., title + 100 at random positions).

    \b
    Example:
      tunegraph evaluate --model models/v1 --json eval.json --plot eval.png
    """
    from tunegraph.model.api import EvalSettings, evaluate

    report = evaluate(EvalSettings(model_dir, data_dir, json_path, plot_path, threads))
    console = Console()
    console.print(metrics_table(report.rows, f"{report.playlists} held-out test playlists"))
    console.print(category_table(report.categories, report.category_playlists, CATEGORY_TITLE))


def save_playlist_hook(name: str, track_ids: list[str], token: str | None, api_url: str) -> str:
    """Write the recommendations back to Spotify as a new playlist of the token's user.

    Uses the crawler's Spotify client (``tunegraph.crawler.save_playlist``): a user
    token is needed, client credentials act for no user. Returns the playlist's URL.
    """
    import asyncio

    from tunegraph.crawler import save_playlist
    from tunegraph.crawler.settings import ApiSettings

    if not token:
        raise click.ClickException("--save-playlist needs a user token in SPOTIFY_ACCESS_TOKEN")
    remember_secrets(token)
    api = ApiSettings(api_url=api_url, access_token=token)
    saved = asyncio.run(save_playlist(api, "me", name, track_ids))
    return f"{saved.id} ({saved.tracks} tracks) {saved.url}"


@click.command("recommend")
@MODEL_OPTION
@click.option(
    "--playlist", "playlist_id", default=None, help="A playlist id from the model's data."
)
@click.option(
    "--tracks", "tracks", default=None, help="Comma-separated track ids (a new playlist)."
)
@click.option(
    "--name",
    default=None,
    help="With --tracks: the playlist's title (names carry taste: 'workout', 'chill').",
)
@click.option(
    "--playlists",
    "playlists_file",
    default=None,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Batch: a file of playlists: .txt/.csv (ids the model knows), .json (a RecSys 2018"
    " challenge set or MPD slice) or .jsonl (pid or playlist_id, name, tracks per line).",
)
@click.option("--all", "all_playlists", is_flag=True, help="Batch: every playlist the model knows.")
@click.option(
    "--k",
    default=None,
    type=click.IntRange(1, 1000),
    help="Tracks per playlist  [default: 20; 500 in a batch]",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--explain",
    is_flag=True,
    help="Say why each track: the retrievers that proposed it, the seed tracks it shares"
    " playlists with, same artist or album, same-title playlists, and a Cypher query that"
    " shows those playlists (tunegraph query).",
)
@click.option(
    "--out",
    "out",
    default=None,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Batch: the file to write (written whole or not at all).",
)
@click.option(
    "--format",
    "out_format",
    default=None,
    type=click.Choice(["auto", "csv", "parquet", "recsys2018"]),
    help="Batch output: playlist_id,track_id,rank as csv or parquet (auto: from --out's"
    " suffix), or a RecSys 2018 challenge submission  [default: auto]",
)
@click.option("--team", default=None, help="recsys2018: team name  [default: tunegraph]")
@click.option(
    "--email", default=None, help="recsys2018: contact email  [default: tunegraph@example.com]"
)
@click.option("--threads", type=click.IntRange(1), default=None, help="TensorFlow threads.")
@click.option(
    "--save-playlist",
    "save_name",
    default=None,
    help="Save the list as a new Spotify playlist (token in SPOTIFY_ACCESS_TOKEN).",
)
@click.option("--token", envvar="SPOTIFY_ACCESS_TOKEN", default=None, hidden=True)
@click.option(
    "--api-url",
    envvar="SPOTIFY_API_URL",
    default="https://api.spotify.com/v1",
    show_default=True,
    help="Spotify Web API (or the simulator) for --save-playlist.",
)
@cli_errors
def recommend_cmd(
    model_dir: Path,
    playlist_id: str | None,
    tracks: str | None,
    name: str | None,
    playlists_file: Path | None,
    all_playlists: bool,
    k: int | None,
    as_json: bool,
    explain: bool,
    out: Path | None,
    out_format: str | None,
    team: str | None,
    email: str | None,
    threads: int | None,
    save_name: str | None,
    token: str | None,
    api_url: str,
) -> None:
    """Recommend k new tracks for a playlist of the training data or for a list of tracks,
    or, in a batch, for many playlists at once into one file.

    A batch tops up lists the model cannot fill with the most popular tracks, never
    repeats a playlist's own tracks, and reports unknown ids as warnings. A JSON pid
    whose MPD playlist was imported (mpd:<pid>) also uses that playlist's tracks.

    \b
    Example:
      tunegraph recommend --model models/v1 --playlist 37i9dQZF1DXcBWIGoYBM5M --k 20
      tunegraph recommend --model models/v1 --tracks 4uLU6hMCjMI75M1A,7ouMYWpwJ422jRc \\
          --name "road trip" --json
      tunegraph recommend --model models/v1 --playlist 37i9dQZF1DXcBWIGoYBM5M --explain
      SPOTIFY_ACCESS_TOKEN=... tunegraph recommend --model models/v1 --playlist ID \\
          --save-playlist "tunegraph picks"
      tunegraph recommend --model models/v1 --all --out recs.parquet
      tunegraph recommend --model models/v1 --playlists challenge_set.json --k 500 \\
          --format recsys2018 --team "my team" --email me@example.com --out submission.csv
    """
    one_only = {"--json": as_json or None, "--explain": explain or None,
                "--save-playlist": save_name}  # fmt: skip
    batch_only = {"--out": out, "--format": out_format, "--team": team, "--email": email}
    if _is_batch(playlist_id, tracks, name, playlists_file, all_playlists, one_only, batch_only):
        from tunegraph.cli.batch_output import recommend_batch_cmd

        assert out is not None  # _is_batch insists on --out
        recommend_batch_cmd(
            model_dir, playlists_file, k or 500, out, out_format, team, email, threads
        )
        return
    from tunegraph.model.api import recommend

    track_ids = [t.strip() for t in tracks.split(",") if t.strip()] if tracks else None
    recs = recommend(
        model_dir, playlist_id=playlist_id, track_ids=track_ids, k=k or 20, name=name,
        explain=explain,
    )  # fmt: skip
    print_recommendations(recs, as_json)
    if save_name:
        where = save_playlist_hook(save_name, [r.track_id for r in recs], token, api_url)
        click.echo(f"saved as playlist {where}", err=as_json)


def _is_batch(
    playlist_id: str | None,
    tracks: str | None,
    name: str | None,
    playlists_file: Path | None,
    all_playlists: bool,
    one_only: Mapping[str, object],
    batch_only: Mapping[str, object],
) -> bool:
    """Whether `recommend` runs a batch (--all, --playlists); options that clash: UsageError."""
    sources = [playlist_id is not None, tracks is not None, playlists_file is not None]
    if sum(sources) + all_playlists != 1:
        raise click.UsageError(
            "give exactly one of --playlist ID, --tracks ID,ID,..., --playlists FILE or --all"
        )
    if name is not None and tracks is None:
        raise click.UsageError("--name goes with --tracks (a known playlist has its own)")
    batch = all_playlists or playlists_file is not None
    if batch and batch_only["--out"] is None:
        raise click.UsageError("--all and --playlists write a file: give --out FILE")
    where = "one playlist, not --all or --playlists" if batch else "--all or --playlists"
    for option, value in (one_only if batch else batch_only).items():
        if value is not None:
            raise click.UsageError(f"{option} is for {where}")
    return batch
