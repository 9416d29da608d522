"""Parsing both playlist-item shapes, the mess in them, and search pages (pure)."""

from __future__ import annotations

import pytest

from tunegraph.crawler.errors import MalformedResponse
from tunegraph.crawler.models import parse_audio_features, parse_items_page, parse_search_page

T1, T2, A1, A2, AL, P1, P2 = (f"{name:0>22}" for name in ("t1", "t2", "a1", "a2", "al", "p1", "p2"))


def _track(track_id: str, **extra) -> dict:
    return {"id": track_id, "name": f"n{track_id}", "type": "track", "duration_ms": 1000,
            "explicit": False, "is_local": False,
            "artists": [{"id": A1, "name": "Artist One"}, {"id": A2, "name": "Two"}],
            "album": {"id": AL, "name": "Album", "release_date": "2020-01"}, **extra}  # fmt: skip


@pytest.mark.parametrize("field", ["item", "track"])
def test_items_page_in_both_shapes_skips_and_counts_the_mess(field):
    body = {
        "offset": 50,
        "next": "http://x/next",
        "total": 56,
        "items": [
            {field: _track(T1, popularity=40), "added_at": "2020-01-01T00:00:00Z"},
            None,
            {field: None},
            {field: {**_track("x"), "id": None, "is_local": True}, "is_local": True},
            {field: {"id": "e1", "type": "episode", "name": "ep"}},
            {field: _track(T2)},
        ],
    }
    page = parse_items_page(body)
    assert [(e.position, e.track.id) for e in page.entries] == [(50, T1), (55, T2)]
    assert page.entries[0].track.popularity == 40
    assert page.entries[1].track.popularity is None  # absent in development mode
    assert [a.id for a in page.entries[0].track.artists] == [A1, A2]
    assert page.entries[0].track.album.id == AL
    assert dict(page.skipped) == {"null": 2, "local": 1, "episode": 1}
    assert page.next == "http://x/next"


@pytest.mark.parametrize("body", [[], {"items": None}, {"items": ["x"]}, {"items": [{"item": 3}]}])
def test_malformed_items_pages_are_retryable(body):
    with pytest.raises(MalformedResponse):
        parse_items_page(body)


def test_search_page_ranks_count_null_results():
    body = {"playlists": {"offset": 10, "next": None,
                          "items": [{"id": P1}, None, {"id": P2}]}}  # fmt: skip
    page = parse_search_page(body)
    assert page.results == [(10, P1), (12, P2)]
    assert page.nulls == 1 and page.next is None


BAD_IDS = ["../../v1/me", "../../../etc/passwd", "p1", P1 + "\n", P1 + "x", 42]


def test_ids_that_are_not_spotify_ids_are_skipped_and_counted():
    search = parse_search_page({"playlists": {"items": [{"id": b} for b in BAD_IDS]}})
    assert search.results == [] and search.invalid == len(BAD_IDS) and search.nulls == 0
    bad_parts = {"artists": [{"id": BAD_IDS[0]}, {"id": A2}], "album": {"id": BAD_IDS[1]}}
    items = [{"item": _track(b)} for b in BAD_IDS] + [{"item": _track(T1, **bad_parts)}]
    page = parse_items_page({"items": items})
    assert [(e.track.id, [a.id for a in e.track.artists]) for e in page.entries] == [(T1, [A2])]
    assert page.entries[0].track.album is None
    assert dict(page.skipped) == {
        "invalid track id": len(BAD_IDS), "invalid artist id": 1, "invalid album id": 1,
    }  # fmt: skip
    features = parse_audio_features({"audio_features": [{"id": b, "energy": 1} for b in BAD_IDS]})
    assert features == {}


@pytest.mark.parametrize("next_url", [3, {"href": "x"}, ["x"]])
def test_a_next_that_is_not_a_url_is_malformed(next_url):
    with pytest.raises(MalformedResponse):
        parse_items_page({"items": [], "next": next_url})


def test_audio_features_keep_the_model_columns_only():
    body = {"audio_features": [{"id": T1, "energy": 0.5, "tempo": 120, "key": 3,
                                "mode": True}, None]}  # fmt: skip
    assert parse_audio_features(body) == {T1: {"energy": 0.5, "tempo": 120.0}}


def test_legacy_tracks_endpoint_against_the_simulator(spotify_simulator):
    sim = spotify_simulator
    pid = sim.world.seed_playlist_ids(1)[0]
    legacy = parse_items_page(sim.get(f"/playlists/{pid}/tracks", limit=100).json())
    current = parse_items_page(sim.get(f"/playlists/{pid}/items", limit=50).json())
    assert [e.track.id for e in legacy.entries][: len(current.entries)] == [
        e.track.id for e in current.entries
    ]
