"""The main job end to end: Neo4j → crawl → export → train → evaluate → recommend → pictures.

`tunegraph demo` (and `make demo`) call `run_demo`. Each step reuses what a previous
run left: Neo4j keeps running, the crawl resumes (a finished crawl does nothing), and
a model trained on an identical export is kept.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tunegraph import neo4j_server
from tunegraph.crawler import ApiSettings, CrawlSettings, CrawlSummary, crawl
from tunegraph.crawler.progress import Reporter
from tunegraph.demo_presenter import DemoPresenter, Say
from tunegraph.graphstore.bolt_uri import parse_bolt_uri
from tunegraph.graphstore.crawl_view import CrawlView, read_crawl_view
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.errors import Neo4jUnavailable
from tunegraph.graphstore.export import ExportResult, ExportSettings, export_graph
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.output_file import publish_file
from tunegraph.outputs import claim_dir
from tunegraph.simulator.entities import World
from tunegraph.simulator.runner import SimulatorThread
from tunegraph.simulator.server import SimulatorConfig
from tunegraph.simulator.world import WorldConfig, generate_world

if TYPE_CHECKING:  # TensorFlow and matplotlib load only when a step runs
    from tunegraph.model.api import EvalReport, TrainResult
    from tunegraph.model.pipeline.training import EpochCallback
    from tunegraph.model.serving.answers import Recommendation
    from tunegraph.viz.crawl_plot import CrawlPlotSummary

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


@dataclass
class CrawlSource:
    """What the crawl reads: the real Spotify Web API, or a simulator serving a world."""

    api: ApiSettings
    seeds: tuple[str, ...]
    simulator: SimulatorThread | None = None
    world: World | None = None
    start_seconds: float = 0.0


@contextmanager
def crawl_source(settings: DemoSettings) -> Iterator[CrawlSource]:
    """Spotify when the settings hold credentials; else a simulator, stopped at the end."""
    if settings.spotify is not None:
        yield CrawlSource(settings.spotify, settings.seeds)
        return
    began = time.monotonic()
    world = generate_world(settings.world)
    simulator = SimulatorThread(world, SimulatorConfig()).start()
    try:
        api = ApiSettings(
            api_url=f"{simulator.base_url}/v1",
            token_url=f"{simulator.base_url}/api/token",
            client_id=simulator.config.client_id,
            client_secret=simulator.config.client_secret,
            rate_limit=10_000,
        )
        seeds = settings.seeds or tuple(world.seed_playlist_ids(1))
        yield CrawlSource(api, seeds, simulator, world, time.monotonic() - began)
    finally:
        simulator.stop()


CrawlRunner = Callable[[CrawlSettings, Neo4jSettings, Reporter | None], CrawlSummary]


def run_crawl(
    settings: CrawlSettings, neo4j: Neo4jSettings, reporter: Reporter | None
) -> CrawlSummary:
    """The crawl with no signal handling (the CLI passes one that stops on Ctrl-C)."""
    return asyncio.run(crawl(settings, neo4j, reporter=reporter))


def crawl_step(
    settings: DemoSettings,
    neo4j: Neo4jSettings,
    source: CrawlSource,
    reporter: Reporter | None,
    runner: CrawlRunner = run_crawl,
) -> CrawlSummary:
    """Crawl breadth-first from the source's seeds into Neo4j (resumes an earlier crawl)."""
    crawl_settings = CrawlSettings(
        seeds=source.seeds,
        api=source.api,
        workers=settings.workers,
        max_depth=settings.max_depth,
        max_playlists=settings.max_playlists,
    )
    return runner(crawl_settings, neo4j, reporter)


def export_step(neo4j: Neo4jSettings, data_dir: Path) -> ExportResult:
    """Interactions, track features and vocabularies from the graph, published whole."""
    return asyncio.run(export_graph(neo4j, ExportSettings(out_dir=data_dir)))


def _trained_on(exported: ExportResult) -> dict[str, Any]:
    """The stamp of a model: the graph it saw and its format (an older format trains again)."""
    from tunegraph.model.pipeline.artifacts import MODEL_FORMAT_VERSION

    return {"graph_checksum": exported.graph_checksum, "model_format": MODEL_FORMAT_VERSION}


def model_is_current(out: Path, exported: ExportResult) -> bool:
    """Whether out/model was trained on this very graph, in this model format."""
    stamp = out / "trained-on.json"
    return (
        (out / "model" / "metrics.json").exists()
        and stamp.exists()
        and json.loads(stamp.read_text()) == _trained_on(exported)
    )


def train_step(
    settings: DemoSettings, exported: ExportResult, on_epoch: EpochCallback
) -> tuple[TrainResult, float]:
    """Train on out/data into out/model and stamp it; the result and the seconds it took."""
    from tunegraph.model import api as model_api

    began, out = time.monotonic(), settings.out_dir
    result = model_api.train(
        model_api.TrainSettings(
            data_dir=out / "data", model_dir=out / "model", epochs=settings.epochs
        ),
        on_epoch=on_epoch,
    )
    with publish_file(out / "trained-on.json") as tmp:  # a file of the demo's own (claim_dir)
        tmp.write_text(json.dumps(_trained_on(exported)))
    return result, time.monotonic() - began


def evaluate_step(out: Path) -> tuple[EvalReport, float]:
    """Score the model and the baselines on held-out playlists (JSON and a picture in out)."""
    from tunegraph.model import api as model_api

    began = time.monotonic()
    report = model_api.evaluate(
        model_api.EvalSettings(
            model_dir=out / "model",
            json_path=out / "evaluation.json",
            plot_path=out / "evaluation.png",
        )
    )
    return report, time.monotonic() - began


@dataclass
class SeedRecommendations:
    """The seed playlist's own first tracks beside the model's top k for it."""

    seed: str
    own: list[str]
    recommended: list[Recommendation]
    note: str | None = None  # why nothing is recommended (an id the model does not know)


def recommend_step(neo4j: Neo4jSettings, model_dir: Path, seed: str, k: int) -> SeedRecommendations:
    from tunegraph.graphstore.crawl_view import playlist_track_lines
    from tunegraph.model import api as model_api
    from tunegraph.model.errors import UnknownIdError

    async def own_tracks() -> list[str]:
        async with GraphStore(neo4j) as store:
            return await playlist_track_lines(store, seed, k)

    note, recs = None, []
    try:
        recs = model_api.recommend(model_dir, playlist_id=seed, k=k)
    except UnknownIdError as exc:
        note = str(exc)
    return SeedRecommendations(seed, asyncio.run(own_tracks()), recs, note)


def draw_step(neo4j: Neo4jSettings, path: Path) -> CrawlPlotSummary:
    """The crawl's first playlists and their artists as a picture."""
    from tunegraph.viz.crawl_plot import draw_crawl

    async def view() -> CrawlView:
        async with GraphStore(neo4j) as store:
            return await read_crawl_view(store, 120)

    return draw_crawl(asyncio.run(view()), path, max_artists=200)


def run_demo(
    settings: DemoSettings,
    say: Say,
    reporter: Reporter | None = None,
    crawl_runner: CrawlRunner = run_crawl,
) -> DemoResult:
    """Each step in turn, the presenter telling what it does and what came of it.

    ``crawl_runner``: the CLI's stops the crawl on Ctrl-C and the demo goes on with the
    graph crawled so far.
    """
    # --out holds what the demo writes and nothing else (OutputError before any work);
    # data/ and model/ are published whole by export and train
    claim_dir(settings.out_dir, "demo", files=DEMO_FILES, trees=("data", "model"))
    out = settings.out_dir
    import tunegraph.model.api  # noqa: F401  (TensorFlow loads only from here on)

    show = DemoPresenter(say)
    neo4j = ensure_neo4j(settings, say)
    with crawl_source(settings) as source:
        show.source(settings, source)
        show.crawl_starting(settings, source.seeds)
        summary = crawl_step(settings, neo4j, source, reporter, crawl_runner)
    show.crawled(summary)
    show.export_starting()
    exported = export_step(neo4j, out / "data")
    show.exported(exported, out / "data")
    if model_is_current(out, exported):
        show.model_kept(out / "model")
    else:
        show.train_starting(settings.epochs)
        show.trained(*train_step(settings, exported, show.epoch), out / "model")
    report, seconds = evaluate_step(out)
    show.evaluated(report, seconds)
    seed = source.seeds[0]
    show.recommendations(recommend_step(neo4j, out / "model", seed, settings.k), settings.k)
    show.pictures(draw_step(neo4j, out / "crawl.png"), out)
    figures = {
        "crawl": summary.as_dict(),
        "export": {"interactions": exported.interactions, "playlists": exported.playlists,
                   "tracks": exported.tracks},
        "evaluation": report.rows,
    }  # fmt: skip
    return DemoResult(out_dir=out, seed_playlist=seed, figures=figures)
