"""An explanation's counts equal what its Cypher returns from Neo4j, pasted into
`tunegraph query` as the explanation prints it: on a crawled graph and on an imported
MPD graph (real Neo4j, real crawl of the simulator, real import)."""

from __future__ import annotations

import asyncio
import json
import shlex
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from crawler.crawl_helpers import crawl_settings, run_crawl
from tunegraph.cli.main import cli
from tunegraph.datasets.synthetic_mpd import MpdShape, write_mpd_slices
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.export import ExportSettings, export_store
from tunegraph.graphstore.mpd.transactional import import_mpd
from tunegraph.graphstore.settings import Neo4jSettings

pytestmark = pytest.mark.tensorflow


def export_and_train(settings: Neo4jSettings, root: Path) -> Any:
    import tunegraph
    from tunegraph.model.api import TrainSettings, train

    async def export() -> None:
        async with GraphStore(settings) as store:
            await export_store(store, ExportSettings(out_dir=root / "export"))

    asyncio.run(export())
    train(TrainSettings(data_dir=root / "export", model_dir=root / "model", epochs=1,
                        batch_size=256, embedding_dim=8, threads=1, save_index=False))  # fmt: skip
    return tunegraph.load_model(root / "model")


def pasted(settings: Neo4jSettings, command: str) -> list[dict[str, Any]]:
    """Run an explanation's printed command line through the CLI, as a user would."""
    args = shlex.split(command)
    assert args[:2] == ["tunegraph", "query"]
    env = {"NEO4J_URI": settings.uri, "NEO4J_USER": settings.user,
           "NEO4J_PASSWORD": settings.password}  # fmt: skip
    result = CliRunner().invoke(cli, [*args[1:], "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    return list(json.loads(result.output))


def check_against_graph(settings: Neo4jSettings, recs: list[Any]) -> tuple[int, int]:
    """Every recommendation's stated counts against its Cypher; (shared, same title) seen."""
    shared_seen = title_seen = 0
    for rec in recs:
        why = rec.because
        rows = pasted(settings, why.query_command())
        shared = Counter(seed for row in rows for seed in row["seeds"])
        assert {s.track_id: s.playlists for s in why.shared_seeds} == dict(shared), rec
        assert why.same_title == sum(row["same_title"] for row in rows), rec
        shared_seen += sum(shared.values())
        title_seen += why.same_title
    return shared_seen, title_seen


def title_twin(model: Any, track_id: str, not_row: int) -> str:
    """The title of another playlist holding the track, dressed differently."""
    loaded = model.loaded
    index = loaded.tracks.ids.index(track_id) + 1
    p = loaded.playlists
    rows = np.unique(p.t_rows[p.t_indptr[index] : p.t_indptr[index + 1]])
    named = [r for r in rows if r != not_row and loaded.playlist_names[r].strip()]
    return "  " + loaded.playlist_names[named[0]].upper() + "!! "


def test_explanations_match_the_cypher_on_a_crawled_graph(
    spotify_simulator, empty_graph: Neo4jSettings, tmp_path: Path
) -> None:
    sim = spotify_simulator
    caps = dict(max_playlists=120, tracks_per_playlist=40, artists_per_playlist=6, max_depth=3)
    settings = crawl_settings(sim, sim.world.seed_playlist_ids(3), **caps)
    assert run_crawl(settings, empty_graph).status == "finished"
    model = export_and_train(empty_graph, tmp_path)
    loaded = model.loaded
    row = int(np.argmax(np.diff(loaded.playlists.indptr)))  # the longest playlist
    pid = loaded.playlist_ids[row]
    recs = model.recommend(playlist=pid, k=8, explain=True)
    # a new playlist of its first tracks, titled like another playlist holding a pick
    seed = [loaded.tracks.ids[i - 1] for i in loaded.playlists.row(row)[:10]]
    name = title_twin(model, recs[0].track_id, row)
    recs += model.recommend(tracks=seed, name=name, k=8, explain=True)
    shared, titled = check_against_graph(empty_graph, recs)
    assert shared > 0 and titled > 0  # the comparison was not of empty counts


def test_explanations_match_the_cypher_on_an_imported_mpd_graph(
    empty_graph: Neo4jSettings, tmp_path: Path
) -> None:
    paths = write_mpd_slices(tmp_path / "mpd", MpdShape(playlists=400, seed=5), per_slice=200)

    async def load() -> None:
        async with GraphStore(empty_graph) as store:
            await import_mpd(store, paths)

    asyncio.run(load())
    model = export_and_train(empty_graph, tmp_path)
    loaded = model.loaded
    lengths = np.diff(loaded.playlists.indptr)
    rows = [int(r) for r in np.argsort(-lengths, kind="stable")[:3]]
    recs = []
    for row in rows:  # MPD titles repeat ("chill", "country"): same-title counts arise
        recs += model.recommend(playlist=loaded.playlist_ids[row], k=6, explain=True)
    seed = [loaded.tracks.ids[i - 1] for i in loaded.playlists.row(rows[0])[:5]]
    recs += model.recommend(tracks=seed, name=title_twin(model, recs[0].track_id, rows[0]),
                            k=6, explain=True)  # fmt: skip
    shared, titled = check_against_graph(empty_graph, recs)
    assert shared > 0 and titled > 0


def test_the_cypher_compares_titles_by_the_models_rule(empty_graph: Neo4jSettings) -> None:
    from tunegraph.graphstore.explain_queries import EXPLAIN_QUERY, explain_params
    from tunegraph.titles import normalize_title, title_words

    names = ["Road Trip!!", "road-trip", "ROAD\u00a0trip", " road\ttrip ", "Road Trip 2",
             "roadtrip", "Road Trip 🚗", "(road) [trip]"]  # fmt: skip

    async def go() -> list[dict[str, Any]]:
        async with GraphStore(empty_graph) as store:
            await store.run(
                "CREATE (t:Track {id: 'tr'}) WITH t UNWIND range(0, size($names) - 1) AS i"
                " CREATE (:Playlist {id: 'p' + i, name: $names[i]})-[:CONTAINS]->(t)",
                names=names,
            )
            params = explain_params("tr", [], title_words("road trip"))
            return await store.run_read(EXPLAIN_QUERY, **params)

    rows = asyncio.run(go())
    same = sorted(names[int(row["playlist"][1:])] for row in rows if row["same_title"])
    assert same == sorted(n for n in names if normalize_title(n) == "road trip")
    assert len(same) == 5
