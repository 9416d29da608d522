"""Explanations on the tiny model: every stated fact recounted from the world by brute force."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tunegraph
from tunegraph.model.errors import UnknownIdError
from tunegraph.model.retrievers.protocol import Queries
from tunegraph.titles import normalize_title


@pytest.fixture(scope="module")
def model(trained) -> Any:
    return tunegraph.load_model(trained.model_dir)


def holding(world, track: str) -> list[str]:
    return [pid for pid, tracks in world.playlists.items() if track in tracks]


def shared_counts(world, track: str, seed: list[str]) -> dict[str, int]:
    holders = holding(world, track)
    counts = {s: sum(s in world.playlists[p] for p in holders) for s in seed}
    return {s: n for s, n in counts.items() if n > 0}


def test_each_stated_count_is_what_the_playlists_hold(trained, model) -> None:
    world = trained.world
    pid = list(world.playlists)[5]
    seed = world.playlists[pid]
    recs = model.recommend(playlist=pid, k=15, explain=True)
    assert len(recs) == 15
    meta = world.tracks_meta
    for rec in recs:
        why = rec.because
        assert why is not None
        expected = shared_counts(world, rec.track_id, seed)
        stated = {s.track_id: s.playlists for s in why.shared_seeds}
        # the strongest seeds, each with its exact count
        assert stated == {s: expected[s] for s in stated}
        assert len(stated) == min(5, len(expected))
        assert min(stated.values(), default=0) >= max(
            (n for s, n in expected.items() if s not in stated), default=0
        )
        artists, album = set(meta[rec.track_id]["artist_ids"]), meta[rec.track_id]["album_id"]
        in_order = list(dict.fromkeys(seed))
        assert (
            list(why.same_artist)
            == [s for s in in_order if artists & set(meta[s]["artist_ids"])][:5]
        )
        assert list(why.same_album) == [s for s in in_order if meta[s]["album_id"] == album][:5]
        assert why.same_title == sum(
            normalize_title(f"Playlist {p}") == normalize_title(f"Playlist {pid}")
            for p in holding(world, rec.track_id)
        )
        assert why.params["track"] == rec.track_id
        assert why.params["seeds"] == list(stated)
        assert "$track" in why.cypher and "CONTAINS" in why.cypher


def test_retriever_ranks_are_positions_in_each_retrievers_own_list(trained, model) -> None:
    pid = list(trained.world.playlists)[7]
    recs = model.recommend(playlist=pid, k=20, explain=True)
    loaded = model.loaded
    row = loaded.playlist_ids.index(pid)
    seed = loaded.playlists.row(row).astype(np.int64)
    queries = Queries([seed], [loaded.playlist_names[row]], loaded.playlist_query[[row]])
    _, proposed = loaded.recommender.retrievers().proposed(queries)
    index = {t: i + 1 for i, t in enumerate(loaded.tracks.ids)}
    for rec in recs:
        assert rec.because is not None and rec.because.retrievers  # a candidate was proposed
        for source, rank in rec.because.retrievers.items():
            assert proposed[source][0, rank - 1] == index[rec.track_id]
        missing = set(proposed) - set(rec.because.retrievers)
        assert all(index[rec.track_id] not in proposed[s][0] for s in missing)


def test_same_title_counts_playlists_named_alike(trained, model) -> None:
    world = trained.world
    pids = list(world.playlists)
    seed = world.playlists[pids[0]][:3]
    track = next(t for t in world.playlists[pids[1]] if t not in seed)
    why = model.explain(track, tracks=seed, name=f"  PLAYLIST  {pids[1]}!! ")
    assert why.same_title == 1  # pids[1] holds it; case, spaces and "!!" do not count
    assert why.params["title_words"] == ["playlist", pids[1]]
    assert why.shared_seeds == tuple(
        s for s in why.shared_seeds if s.playlists == shared_counts(world, track, seed)[s.track_id]
    )


def test_explain_matches_the_explanations_recommend_gives(trained, model) -> None:
    pid = list(trained.world.playlists)[9]
    recs = model.recommend(playlist=pid, k=3, explain=True)
    assert [model.explain(r.track_id, playlist=pid) for r in recs] == [r.because for r in recs]
    plain = model.recommend(playlist=pid, k=3)
    assert [r.track_id for r in plain] == [r.track_id for r in recs]
    assert all(r.because is None and "because" not in r.as_json() for r in plain)
    assert recs[0].as_json()["because"]["shared_seeds"][0]["playlists"] >= 1


def test_recommend_many_explains_each_request(trained, model) -> None:
    pids = list(trained.world.playlists)[10:12]
    many = model.recommend_many([{"playlist": p} for p in pids], k=4, explain=True)
    assert many == [model.recommend(playlist=p, k=4, explain=True) for p in pids]


def test_an_unknown_track_is_a_clear_error(trained, model) -> None:
    pid = next(iter(trained.world.playlists))
    with pytest.raises(UnknownIdError, match="unknown track id: nope"):
        model.explain("nope", playlist=pid)
