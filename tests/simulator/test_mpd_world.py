"""A world built from MPD slice files, served over HTTP."""

from __future__ import annotations

import pytest

from support.mpd_files import mpd_playlist, write_slice
from tunegraph.datasets.mpd import MpdFormatError
from tunegraph.simulator.ids import hashed_id
from tunegraph.simulator.world import load_mpd_world


@pytest.fixture
def mpd_dir(tmp_path):
    write_slice(tmp_path, 0, [
        mpd_playlist(0, [0, 1, 2, 4], name="Missy Elliott workout"),
        mpd_playlist(1, [1, 5, 9, 1], name="Throwbacks"),
    ])  # fmt: skip
    write_slice(
        tmp_path, 2, [mpd_playlist(2, [3, 7], name="chill", description="old favourites")], gz=True
    )
    return tmp_path


def test_world_from_slices(mpd_dir):
    world = load_mpd_world(mpd_dir)
    assert world.source == "mpd"
    assert world.sizes() == {"users": 3, "playlists": 3, "tracks": 8, "artists": 4, "albums": 4}
    first = world.playlists[hashed_id("mpd", 0)]
    assert first.track_ids == tuple(f"{i:022d}" for i in (0, 1, 2, 4))
    assert world.playlists[hashed_id("mpd", 1)].track_ids[-1] == f"{1:022d}"  # duplicates kept
    assert world.tracks[f"{1:022d}"].popularity == 100  # the most played track
    assert world.tracks[f"{0:022d}"].audio_features == {}
    assert load_mpd_world(mpd_dir).checksum() == world.checksum()


def test_search_matches_names_then_falls_back_to_artists(mpd_dir):
    world = load_mpd_world(mpd_dir)
    assert world.search_playlists("missy elliott") == [hashed_id("mpd", 0)]
    assert world.search_playlists("old favourites") == [hashed_id("mpd", 2)]
    by_artist = world.search_playlists(
        "Britney Spears"
    )  # tracks 1, 5, 9 are hers; no name mentions her
    assert set(by_artist) == {hashed_id("mpd", 0), hashed_id("mpd", 1)}


def test_serving_an_mpd_world(mpd_dir, simulator_factory):
    sim = simulator_factory(world=load_mpd_world(mpd_dir))
    pid = hashed_id("mpd", 1)
    items = sim.walk(f"{sim.api_url}/playlists/{pid}/items?limit=3")
    assert [i["item"]["id"] for i in items] == [f"{i:022d}" for i in (1, 5, 9, 1)]
    assert sim.get(f"/audio-features?ids={1:022d}").json() == {"audio_features": [None]}
    for query in ("Beyoncé", "beyonce"):  # accents fold, as Spotify's search does
        found = sim.get("/search", q=query, type="playlist").json()["playlists"]
        assert [p["id"] for p in found["items"] if p] == [hashed_id("mpd", 0)]
    none = sim.get("/search", q="Beyonc", type="playlist").json()["playlists"]
    assert none["total"] == 0


def test_bad_paths_raise_clear_errors(tmp_path):
    with pytest.raises(MpdFormatError, match="no such file or folder"):
        load_mpd_world(tmp_path / "missing")
