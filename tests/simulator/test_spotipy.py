"""spotipy, the most used Python client of the Web API, against the simulator unchanged:
every call a crawl of playlists, artists, albums and users makes succeeds, and errors
come in Spotify's JSON body, which spotipy parses."""

from __future__ import annotations

import warnings

import pytest
import spotipy

from tunegraph.simulator.entities import Playlist


@pytest.fixture
def sp(spotify_simulator) -> spotipy.Spotify:
    client = spotipy.Spotify(auth=spotify_simulator.token(), retries=0, requests_timeout=10)
    client.prefix = spotify_simulator.api_url + "/"  # the one change: where the API is
    return client


def _long_playlist(world) -> Playlist:
    return next(p for p in world.playlists.values() if p.public and len(p.track_ids) >= 12)


def test_playlist_and_all_its_items_through_next(spotify_simulator, sp) -> None:
    playlist = _long_playlist(spotify_simulator.world)
    body = sp.playlist(playlist.id)
    assert body["id"] == playlist.id and body["name"] == playlist.name
    page = sp.playlist_items(playlist.id, limit=5)
    total, items, pages = page["total"], [], 0
    while page:
        items += page["items"]
        pages += 1
        page = sp.next(page)
    assert len(items) == total and pages == -(-total // 5) >= 3
    served = [i["item"]["id"] for i in items if i["item"] and i["item"]["type"] == "track"]
    assert [t for t in served if t] == list(playlist.track_ids)


def test_tracks_features_artist_albums_and_users(spotify_simulator, sp) -> None:
    world = spotify_simulator.world
    playlist = _long_playlist(world)
    first, second = playlist.track_ids[:2]
    track = sp.track(first)
    assert track["id"] == first
    assert [t["id"] for t in sp.tracks([first, second])["tracks"]] == [first, second]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # spotipy's own notice
        features = sp.audio_features([first, second])
        users = sp.user_playlists(playlist.owner_id, limit=2)
    assert [f["id"] for f in features] == [first, second]

    artist_id = track["artists"][0]["id"]
    assert sp.artist(artist_id)["id"] == artist_id
    albums, page = [], sp.artist_albums(artist_id, limit=1)
    while page:
        albums += page["items"]
        page = sp.next(page)
    album_id = track["album"]["id"]
    assert album_id in [a["id"] for a in albums]
    album = sp.album(album_id)
    assert album["id"] == album_id and album["type"] == "album"
    assert first in [t["id"] for t in album["tracks"]["items"]]
    assert album["total_tracks"] == album["tracks"]["total"]

    owned = []
    while users:
        owned += [p["id"] for p in users["items"]]
        users = sp.next(users)
    mine = [p.id for p in world.playlists.values() if p.owner_id == playlist.owner_id and p.public]
    assert owned == mine and playlist.id in owned

    name = world.artists[artist_id].name
    found = sp.search(q=name, type="playlist", limit=10)["playlists"]
    assert found["total"] > 0 and found["items"]


def test_errors_are_spotify_json_bodies(spotify_simulator, sp) -> None:
    for path in ("/nope", "/albums/x/y/z", "/tracks/"):
        result = spotify_simulator.get(path)
        body = result.json()
        assert set(body) == {"error"}, path
        assert body["error"]["status"] == result.status >= 400, path
        assert body["error"]["message"], path
    unknown = spotify_simulator.get("/nope")
    assert unknown.status == 404
    assert unknown.json() == {"error": {"status": 404, "message": "Service not found"}}
    wrong_method = spotify_simulator.request(
        "DELETE", "/v1/tracks/" + next(iter(spotify_simulator.world.tracks)),
        token=spotify_simulator.token(),
    )  # fmt: skip
    assert wrong_method.status == 405
    assert wrong_method.json()["error"] == {"status": 405, "message": "Method not allowed"}
    with pytest.raises(spotipy.SpotifyException) as info:
        sp.album("0" * 22)
    assert info.value.http_status == 404 and "Resource not found" in info.value.msg
