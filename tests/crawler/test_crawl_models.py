"""Parsing both playlist-item shapes, the mess in them, and search pages (pure)."""

from __future__ import annotations

import pytest

from tunegraph.crawler.errors import MalformedResponse
from tunegraph.crawler.models import parse_audio_features, parse_items_page, parse_search_page


def _track(track_id: str, **extra) -> dict:
    return {"id": track_id, "name": f"n{track_id}", "type": "track", "duration_ms": 1000,
            "explicit": False, "is_local": False,
            "artists": [{"id": "a1", "name": "Artist One"}, {"id": "a2", "name": "Two"}],
            "album": {"id": "al", "name": "Album", "release_date": "2020-01"}, **extra}  # fmt: skip


@pytest.mark.parametrize("field", ["item", "track"])
def test_items_page_in_both_shapes_skips_and_counts_the_mess(field):
    body = {
        "offset": 50,
        "next": "http://x/next",
        "total": 56,
        "items": [
            {field: _track("t1", popularity=40), "added_at": "2020-01-01T00:00:00Z"},
            None,
            {field: None},
            {field: {**_track("x"), "id": None, "is_local": True}, "is_local": True},
            {field: {"id": "e1", "type": "episode", "name": "ep"}},
            {field: _track("t2")},
        ],
    }
    page = parse_items_page(body)
    assert [(e.position, e.track.id) for e in page.entries] == [(50, "t1"), (55, "t2")]
    assert page.entries[0].track.popularity == 40
    assert page.entries[1].track.popularity is None  # absent in development mode
    assert [a.id for a in page.entries[0].track.artists] == ["a1", "a2"]
    assert page.entries[0].track.album.id == "al"
    assert dict(page.skipped) == {"null": 2, "local": 1, "episode": 1}
    assert page.next == "http://x/next"


@pytest.mark.parametrize("body", [[], {"items": None}, {"items": ["x"]}, {"items": [{"item": 3}]}])
def test_malformed_items_pages_are_retryable(body):
    with pytest.raises(MalformedResponse):
        parse_items_page(body)


def test_search_page_ranks_count_null_results():
    body = {"playlists": {"offset": 10, "next": None,
                          "items": [{"id": "p1"}, None, {"id": "p2"}]}}  # fmt: skip
    page = parse_search_page(body)
    assert page.results == [(10, "p1"), (12, "p2")]
    assert page.nulls == 1 and page.next is None


def test_audio_features_keep_the_model_columns_only():
    body = {"audio_features": [{"id": "t1", "energy": 0.5, "tempo": 120, "key": 3,
                                "mode": True}, None]}  # fmt: skip
    assert parse_audio_features(body) == {"t1": {"energy": 0.5, "tempo": 120.0}}


def test_legacy_tracks_endpoint_against_the_simulator(spotify_simulator):
    sim = spotify_simulator
    pid = sim.world.seed_playlist_ids(1)[0]
    legacy = parse_items_page(sim.get(f"/playlists/{pid}/tracks", limit=100).json())
    current = parse_items_page(sim.get(f"/playlists/{pid}/items", limit=50).json())
    assert [e.track.id for e in legacy.entries][: len(current.entries)] == [
        e.track.id for e in current.entries
    ]
