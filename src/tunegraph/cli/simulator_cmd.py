"""`tunegraph simulator`: serve a local Spotify Web API look-alike."""

from __future__ import annotations

import functools
import time
from pathlib import Path

import click

from tunegraph.cli.errors import cli_errors, settings_of
from tunegraph.simulator.faults import parse_kinds
from tunegraph.simulator.runner import serve_until_interrupted
from tunegraph.simulator.server import MESS_KINDS, MODES, RunningSimulator, SimulatorConfig
from tunegraph.simulator.world import (
    World,
    WorldConfig,
    generate_mpd_shaped_world,
    generate_world,
    load_mpd_world,
)


@click.group()
def simulator() -> None:
    """A local Spotify Web API with a seeded world, rate limits and fault injection.

    \b
    Example:
      tunegraph simulator serve --seed 7 --port 8765
    """


def _parse_mess(text: str) -> frozenset[str]:
    text = text.strip().lower()
    if text == "all":
        return MESS_KINDS
    if text in ("none", ""):
        return frozenset()
    kinds = frozenset(k.strip() for k in text.split(",") if k.strip())
    unknown = kinds - MESS_KINDS
    if unknown:
        choices = ", ".join(sorted(MESS_KINDS))
        raise click.ClickException(
            f"unknown mess kind {sorted(unknown)[0]!r}; use all, none or {choices}"
        )
    return kinds


def _build_world(world: str, config: WorldConfig) -> World:
    if world == "synthetic":
        return generate_world(config)
    if world == "mpd-shaped":
        if config.playlists < 1:
            raise click.ClickException("--playlists must be at least 1")
        return generate_mpd_shaped_world(config.playlists, config.seed)
    if world.startswith("mpd:"):
        path = world[4:]
        if not path:
            raise click.ClickException("--world mpd:PATH needs a file or folder of MPD slices")
        return load_mpd_world(path)
    raise click.ClickException(
        f"unknown world {world!r}: use 'synthetic', 'mpd-shaped' or 'mpd:PATH'"
    )


@simulator.command()
@click.option(
    "--world",
    default="synthetic",
    show_default=True,
    help="'synthetic', 'mpd-shaped' (generated, MPD-like; --playlists, --seed) or 'mpd:PATH'.",
)
@click.option("--seed", default=7, show_default=True, type=int, help="Seed of the synthetic world.")
@click.option("--playlists", default=1000, show_default=True, type=int, help="World size.")
@click.option("--users", default=200, show_default=True, type=int, help="Playlist owners.")
@click.option("--artists", default=400, show_default=True, type=int, help="Artists in the world.")
@click.option("--tracks", default=6000, show_default=True, type=int, help="Tracks in the world.")
@click.option(
    "--genres", default=30, show_default=True, type=int,
    help="Genres; playlists mostly keep to a few.",
)  # fmt: skip
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="extended",
    show_default=True,
    help="extended: public playlists readable; development: Spotify's 2026 limits.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=int, help="0 picks a free port.")
@click.option(
    "--client-id", default="tunegraph-demo", show_default=True,
    help="The one client credential pair it accepts: the id.",
)  # fmt: skip
@click.option(
    "--client-secret", default="tunegraph-demo-secret", show_default=True,
    help="... and the secret.",
)  # fmt: skip
@click.option("--token-ttl", default=3600.0, show_default=True, type=float, help="Seconds.")
@click.option(
    "--rate-limit",
    default=0,
    show_default=True,
    type=int,
    help="Requests per rolling window per app; 0 = unlimited.",
)
@click.option("--rate-window", default=30.0, show_default=True, type=float, help="Seconds.")
@click.option(
    "--daily-quota",
    default=0,
    show_default=True,
    type=int,
    help="Requests per day per app, then 429 QUOTA_EXCEEDED; 0 = none.",
)
@click.option(
    "--faults",
    default=0.0,
    show_default=True,
    type=float,
    help="Share of API requests answered with a fault (0..1).",
)
@click.option(
    "--fault-seed", default=0, show_default=True, type=int,
    help="Seed of the injected faults: the same seed, the same faults.",
)  # fmt: skip
@click.option(
    "--fault-kinds",
    default="all",
    show_default=True,
    help="Comma list of 500,502,503,latency,stall,truncated,malformed,drop.",
)
@click.option(
    "--stall-s",
    default=30.0,
    show_default=True,
    type=float,
    help="How long a 'stall' fault holds a request.",
)
@click.option(
    "--latency-ms",
    default=0.0,
    show_default=True,
    type=float,
    help="Fixed latency added to every API request.",
)
@click.option(
    "--mess",
    default="all",
    show_default=True,
    help="Real-world mess served: all, none, or a comma list of null,local,episode,editorial.",
)
@click.option(
    "--seeds",
    "n_seeds",
    default=5,
    show_default=True,
    type=int,
    help="How many seed playlist ids to print.",
)
@cli_errors
def serve(world: str, seed: int, playlists: int, users: int, artists: int, tracks: int,
          genres: int, mode: str, host: str, port: int, client_id: str, client_secret: str,
          token_ttl: float, rate_limit: int, rate_window: float, daily_quota: int, faults: float,
          fault_seed: int, fault_kinds: str, stall_s: float, latency_ms: float, mess: str,
          n_seeds: int) -> None:  # fmt: skip
    """Serve a Spotify Web API look-alike on loopback until Ctrl-C.

    \b
    Example:
      tunegraph simulator serve --seed 7 --mode development --rate-limit 180 --faults 0.02
      tunegraph simulator serve --world mpd:data/mpd/ --port 9000
      tunegraph simulator serve --world mpd-shaped --playlists 5000 --seed 2018
    """
    config = SimulatorConfig(
        mode=mode,
        client_id=client_id,
        client_secret=client_secret,
        token_ttl=token_ttl,
        rate_limit=rate_limit or None,
        rate_window_s=rate_window,
        daily_quota=daily_quota or None,
        faults=faults,
        fault_seed=fault_seed,
        fault_kinds=settings_of(lambda: parse_kinds(fault_kinds)),
        stall_s=stall_s,
        latency_ms=latency_ms,
        mess=_parse_mess(mess),
        host=host,
        port=port,
    )
    settings_of(config.validate)
    sizes = WorldConfig(
        seed=seed, playlists=playlists, users=users, artists=artists, tracks=tracks, genres=genres
    )
    if world == "synthetic":
        settings_of(sizes.validate)
    served = _build_world(world, sizes)
    serve_until_interrupted(served, config, functools.partial(_announce, served, config, n_seeds))


def _announce(
    world: World, config: SimulatorConfig, n_seeds: int, running: RunningSimulator
) -> None:
    """What a client needs once the port is bound: the URLs, the credentials, seeds."""
    counts = ", ".join(f"{n} {k}" for k, n in world.sizes().items())
    click.echo(f"Spotify simulator ({config.mode} mode, {world.source} world: {counts})")
    click.echo(f"  base URL:      {running.base_url}")
    click.echo(f"  token URL:     {running.token_url}")
    click.echo(f"  API base:      {running.api_url}")
    click.echo(f"  client id:     {config.client_id}")
    click.echo(f"  client secret: {config.client_secret}")
    click.echo(f"  checksum:      {world.checksum()}")
    click.echo("  seed playlists: " + " ".join(world.seed_playlist_ids(n_seeds)))
    click.echo("Press Ctrl-C to stop.")


@simulator.command("generate-mpd")
@click.option("--playlists", required=True, type=int, help="How many playlists to generate.")
@click.option(
    "--seed", default=2018, show_default=True, type=int,
    help="Seed of the generated collection (same seed and size, same files).",
)  # fmt: skip
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder for the mpd.slice.A-B.json files: created, or replaced whole if an earlier"
    " generate-mpd wrote it and nothing else is in it.",
)
@click.option("--per-slice", default=1000, show_default=True, type=int, help="Playlists per file.")
@cli_errors
def generate_mpd_cmd(playlists: int, seed: int, out: Path, per_slice: int) -> None:
    """Write MPD-shaped synthetic playlists as Million Playlist Dataset slice files.

    The collection is calibrated to look like the real MPD (long tail, shared names,
    artist repetition) and reads wherever real slices do (import mpd, --world mpd:PATH).

    \b
    Example:
      tunegraph simulator generate-mpd --playlists 10000 --seed 2018 --out data/mpd-synth/
      tunegraph import mpd data/mpd-synth/
    """
    if playlists < 1:
        raise click.ClickException("--playlists must be at least 1")
    if per_slice < 1:
        raise click.ClickException("--per-slice must be at least 1")
    from tunegraph.datasets.synthetic_mpd import MpdShape, write_mpd_slices
    from tunegraph.outputs import publish_dir

    started = time.monotonic()
    # written whole beside --out, then swapped in: an earlier run's slices never mix in
    with (
        publish_dir(out, "simulator generate-mpd") as staging,
        click.progressbar(length=playlists, label="Generating playlists") as bar,
    ):
        done = 0

        def progress(written: int) -> None:
            nonlocal done
            bar.update(written - done)
            done = written

        paths = write_mpd_slices(
            staging, MpdShape(playlists=playlists, seed=seed), per_slice, progress
        )
    took = time.monotonic() - started
    click.echo(f"Wrote {playlists} playlists in {len(paths)} slice files to {out} ({took:.1f} s)")
