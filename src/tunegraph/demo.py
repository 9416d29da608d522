"""The main job end to end: Neo4j → crawl → export → train → evaluate → recommend → pictures.

`tunegraph demo` (and `make demo`) call `run_demo`. Each step reuses what a previous
run left: Neo4j keeps running, the crawl resumes (a finished crawl does nothing), and
a model trained on an identical export is kept.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tunegraph import neo4j_server
from tunegraph.crawler import ApiSettings, CrawlSettings, crawl
from tunegraph.crawler.progress import Reporter
from tunegraph.graphstore.bolt_uri import parse_bolt_uri
from tunegraph.graphstore.crawl_view import CrawlView, read_crawl_view
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.errors import Neo4jUnavailable
from tunegraph.graphstore.export import ExportResult, ExportSettings, export_graph
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.outputs import claim_dir
from tunegraph.simulator.runner import SimulatorThread
from tunegraph.simulator.server import SimulatorConfig
from tunegraph.simulator.world import WorldConfig, generate_world

Say = Callable[[str], None]
DEMO_FILES = ("trained-on.json", "evaluation.json", "evaluation.png", "crawl.png")


@dataclass(frozen=True)
class DemoSettings:
    out_dir: Path
    neo4j: Neo4jSettings
    neo4j_paths: neo4j_server.LocalPaths
    start_neo4j: bool = True  # start tunegraph's local Neo4j if none answers on a loopback URI
    # Real Spotify when credentials are given; else the bundled simulator with `world`.
    spotify: ApiSettings | None = None
    seeds: tuple[str, ...] = ()
    world: WorldConfig = field(default_factory=WorldConfig)
    workers: int = 16
    max_depth: int = 4
    max_playlists: int = 1500
    epochs: int = 10
    k: int = 10


@dataclass
class DemoResult:
    out_dir: Path
    seed_playlist: str
    figures: dict[str, Any] = field(default_factory=dict)


async def _graph_answers(settings: Neo4jSettings) -> bool:
    try:
        async with GraphStore(settings):
            return True
    except Neo4jUnavailable:
        return False


def ensure_neo4j(settings: DemoSettings, say: Say) -> Neo4jSettings:
    """Use the Neo4j at the URI; start tunegraph's local one there if nothing answers."""
    began = time.monotonic()
    if asyncio.run(_graph_answers(settings.neo4j)):
        say(f"[neo4j] using the server at {settings.neo4j.uri}")
        return settings.neo4j
    address = parse_bolt_uri(settings.neo4j.uri)
    if not (settings.start_neo4j and address.is_loopback):
        raise Neo4jUnavailable(f"cannot reach Neo4j at {settings.neo4j.uri}")
    port = address.port
    say(f"[neo4j] starting Neo4j on port {port} (the first start fetches jars with Maven) …")
    spec = neo4j_server.InstanceSpec(port=port, password=settings.neo4j.password)
    record, _ = neo4j_server.start(spec, settings.neo4j_paths)
    say(
        f"[neo4j] Neo4j {record.version} up on {record.uri} in {time.monotonic() - began:.1f} s "
        f"(data {record.data_dir})"
    )
    return settings.neo4j


def _crawl(
    settings: DemoSettings,
    neo4j: Neo4jSettings,
    api: ApiSettings,
    seeds: tuple[str, ...],
    reporter: Reporter | None,
    say: Say,
) -> dict[str, Any]:
    crawl_settings = CrawlSettings(
        seeds=seeds,
        api=api,
        workers=settings.workers,
        max_depth=settings.max_depth,
        max_playlists=settings.max_playlists,
    )
    say(
        f"[crawl] breadth-first from {', '.join(seeds)} with {settings.workers} workers, "
        f"up to {settings.max_playlists} playlists, depth ≤ {settings.max_depth} …"
    )
    summary = asyncio.run(crawl(crawl_settings, neo4j, reporter=reporter, handle_signals=True))
    say(
        f"[crawl] {summary.status} ({summary.world} mode): {summary.playlists_done} playlists "
        f"done, {summary.inaccessible} inaccessible, {summary.tracks} tracks, "
        f"{summary.requests} requests, {summary.rate_limited} × 429, {summary.retries} retries, "
        f"{summary.playlists_per_s:.1f} playlists/s this run, {summary.elapsed_s:.1f} s"
    )
    return summary.as_dict()


def run_demo(settings: DemoSettings, say: Say, reporter: Reporter | None = None) -> DemoResult:
    # --out holds what the demo writes and nothing else (OutputError before any work);
    # data/ and model/ are published whole by export and train
    claim_dir(settings.out_dir, "demo", files=DEMO_FILES, trees=("data", "model"))
    out = settings.out_dir

    from tunegraph.model import api as model_api  # TensorFlow loads only from here on
    from tunegraph.model.artifacts import MODEL_FORMAT_VERSION
    from tunegraph.model.metrics import CHALLENGE_METRICS

    neo4j = ensure_neo4j(settings, say)

    simulator: SimulatorThread | None = None
    try:
        if settings.spotify is not None:
            api, seeds = settings.spotify, settings.seeds
            say(
                "[spotify] crawling the real Spotify Web API. Apps in development mode can read "
                "only playlists their user owns or collaborates on (others answer 403, Spotify's "
                "own editorial playlists 404), search pages hold 10 results, and audio features "
                "and popularity are withheld: expect a small graph."
            )
        else:
            began = time.monotonic()
            world = generate_world(settings.world)
            simulator = SimulatorThread(world, SimulatorConfig()).start()
            config = simulator.config
            api = ApiSettings(
                api_url=f"{simulator.base_url}/v1",
                token_url=f"{simulator.base_url}/api/token",
                client_id=config.client_id,
                client_secret=config.client_secret,
                rate_limit=10_000,
            )
            seeds = settings.seeds or tuple(world.seed_playlist_ids(1))
            say(
                f"[simulator] a generated Spotify (seed {settings.world.seed}: "
                f"{len(world.playlists)} playlists, {len(world.tracks)} tracks, "
                f"{len(world.artists)} artists) on {simulator.base_url} "
                f"in {time.monotonic() - began:.1f} s"
            )
        figures: dict[str, Any] = {"crawl": _crawl(settings, neo4j, api, seeds, reporter, say)}
    finally:
        if simulator is not None:
            simulator.stop()

    data_dir = out / "data"
    say("[export] interactions, track features and vocabularies from Neo4j …")
    exported = asyncio.run(_export(neo4j, data_dir))
    figures["export"] = {
        "interactions": exported.interactions,
        "playlists": exported.playlists,
        "tracks": exported.tracks,
    }
    say(
        f"[export] {exported.interactions} interactions, {exported.playlists} playlists, "
        f"{exported.tracks} tracks → {data_dir} in {exported.seconds:.1f} s "
        f"({exported.rows_per_second:,.0f} rows/s)"
    )

    model_dir = out / "model"
    stamp = out / "trained-on.json"
    # a model of another format (an older tunegraph) is trained again, not reused
    trained_on = {"graph_checksum": exported.graph_checksum, "model_format": MODEL_FORMAT_VERSION}
    if (
        (model_dir / "metrics.json").exists()
        and stamp.exists()
        and json.loads(stamp.read_text()) == trained_on
    ):
        say(f"[train] the graph has not changed since the last run: keeping {model_dir}")
    else:
        began = time.monotonic()
        say(
            f"[train] ALS, neighbours, names and a two-tower model ({settings.epochs} epochs),"
            " then a ranker …"
        )
        result = model_api.train(
            model_api.TrainSettings(data_dir=data_dir, model_dir=model_dir, epochs=settings.epochs),
            on_epoch=lambda epoch, epochs, loss, recall: say(
                f"[train] epoch {epoch}/{epochs}: loss {loss:.4f}, "
                f"validation recall@50 {recall:.4f}"
            ),
        )
        stamp.write_text(json.dumps(trained_on))
        say(
            f"[train] {result.examples} examples, {result.examples_per_second:,.0f} examples/s, "
            f"best epoch {result.best_epoch}, ranking '{result.ranking_objective}', "
            f"{time.monotonic() - began:.1f} s → {model_dir}"
        )

    began = time.monotonic()
    report = model_api.evaluate(
        model_api.EvalSettings(
            model_dir=model_dir, json_path=out / "evaluation.json", plot_path=out / "evaluation.png"
        )
    )
    figures["evaluation"] = report.rows
    say(f"[evaluate] {report.playlists} held-out playlists, {time.monotonic() - began:.1f} s:")
    for name, row in report.rows.items():
        say(f"    {name:<14} " + "  ".join(f"{m} {row[m]:.3f}" for m in CHALLENGE_METRICS))

    seed = seeds[0]
    say(f"[recommend] the seed playlist {seed} and the model's top {settings.k} for it:")
    try:
        recs = model_api.recommend(model_dir, playlist_id=seed, k=settings.k)
    except model_api.UnknownIdError as exc:
        say(f"[recommend] {exc}")
        recs = []
    own = asyncio.run(_playlist_tracks(neo4j, seed, settings.k))
    width = max([len(line) for line in own] + [20])
    say(f"    {'in the playlist':<{width}}   recommended")
    for index in range(max(len(own), len(recs))):
        left = own[index] if index < len(own) else ""
        right = (
            f"{recs[index].name} — {', '.join(recs[index].artists)}" if index < len(recs) else ""
        )
        say(f"    {left:<{width}}   {right}")

    async def view() -> CrawlView:
        async with GraphStore(neo4j) as store:
            return await read_crawl_view(store, 120)

    from tunegraph.viz.crawl_plot import draw_crawl

    drawn = draw_crawl(asyncio.run(view()), out / "crawl.png", max_artists=200)
    say(
        f"[pictures] {out / 'crawl.png'} ({drawn.playlists} playlists, {drawn.artists} artists), "
        f"{model_dir / 'curves.png'}, {out / 'evaluation.png'}"
    )
    return DemoResult(out_dir=out, seed_playlist=seed, figures=figures)


async def _export(neo4j: Neo4jSettings, data_dir: Path) -> ExportResult:
    async with GraphStore(neo4j) as store:
        return await export_graph(store, ExportSettings(out_dir=data_dir))


async def _playlist_tracks(neo4j: Neo4jSettings, playlist_id: str, limit: int) -> list[str]:
    from tunegraph.graphstore.crawl_view import playlist_track_lines

    async with GraphStore(neo4j) as store:
        return await playlist_track_lines(store, playlist_id, limit)
