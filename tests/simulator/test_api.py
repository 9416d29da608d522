"""Every read endpoint over real HTTP on loopback: shapes, paging, errors, served mess."""

from __future__ import annotations

import json

import pytest

from tunegraph.simulator.entities import Extra
from tunegraph.simulator.ids import EDITORIAL_PREFIX
from tunegraph.simulator.render import paging_json


def test_token_grant_and_refusals(spotify_simulator):
    sim = spotify_simulator
    ok = sim.grant()
    assert ok.status == 200
    body = ok.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["access_token"]
    assert (
        sim.get(
            "/playlists/" + sim.world.seed_playlist_ids(1)[0], token=body["access_token"]
        ).status
        == 200
    )
    in_form = sim.request(
        "POST",
        "/api/token",
        form={
            "grant_type": "client_credentials",
            "client_id": "tunegraph-demo",
            "client_secret": "tunegraph-demo-secret",
        },
    )
    assert in_form.status == 200
    bad = sim.grant(client=("tunegraph-demo", "nope"))
    assert bad.status == 400 and bad.json()["error"] == "invalid_client"
    grant = sim.grant({"grant_type": "password"})
    assert grant.status == 400 and grant.json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "No token provided"),
        ("Bearer not-a-token", "Invalid access token"),
        ("Basic abc", "Only valid bearer"),
    ],
)
def test_api_refuses_missing_or_bad_tokens(spotify_simulator, header, message):
    headers = {"Authorization": header} if header else {}
    result = spotify_simulator.request("GET", "/v1/search?q=a&type=playlist", headers=headers)
    assert result.status == 401
    assert result.json()["error"]["message"].startswith(message)


def test_playlist_object(spotify_simulator):
    sim = spotify_simulator
    playlist = sim.world.playlists[sim.world.seed_playlist_ids(1)[0]]
    body = sim.get(f"/playlists/{playlist.id}").json()
    assert body["id"] == playlist.id and body["name"] == playlist.name
    assert body["description"] == playlist.description
    assert body["owner"]["id"] == playlist.owner_id
    assert body["owner"]["display_name"] == sim.world.users[playlist.owner_id].display_name
    assert body["followers"]["total"] == playlist.followers
    assert body["snapshot_id"] == playlist.snapshot_id
    assert body["type"] == "playlist" and body["uri"] == f"spotify:playlist:{playlist.id}"
    total = len(playlist.track_ids) + len(playlist.extras)
    assert body["items"]["total"] == total == body["tracks"]["total"]
    assert len(body["items"]["items"]) == min(50, total)
    assert body["items"]["items"][0]["item"] is None or "type" in body["items"]["items"][0]["item"]


def _playlist_with_extras(world, kinds, minimum=55):
    for playlist in world.playlists.values():
        if (
            playlist.public
            and {e.kind for e in playlist.extras} >= kinds
            and len(playlist.track_ids) >= minimum
        ):
            return playlist
    for playlist in world.playlists.values():
        if playlist.public and {e.kind for e in playlist.extras} >= kinds:
            return playlist
    raise AssertionError("no playlist with those extras")


@pytest.mark.parametrize(
    ("path", "field", "limit"), [("items", "item", 7), ("tracks", "track", 100)]
)
def test_walking_next_gets_every_item_once_with_the_mess(spotify_simulator, path, field, limit):
    sim = spotify_simulator
    playlist = _playlist_with_extras(sim.world, {"local"})
    items = sim.walk(f"{sim.api_url}/playlists/{playlist.id}/{path}?limit={limit}")
    expected = playlist.entries({"local", "episode", "null"})
    assert len(items) == len(expected)
    for entry, item in zip(expected, items, strict=True):
        assert set(item) >= {"added_at", "added_by", "is_local", field}
        if isinstance(entry, str):
            assert item[field]["id"] == entry and item[field]["type"] == "track"
            assert item["is_local"] is False
            assert item[field]["popularity"] == sim.world.tracks[entry].popularity
        elif entry.kind == "local":
            assert (
                item["is_local"] is True
                and item[field]["id"] is None
                and item[field]["is_local"] is True
            )
        elif entry.kind == "episode":
            assert item[field]["type"] == "episode" and item[field]["id"] == entry.id
        else:
            assert item[field] is None
    real = [
        i[field]["id"] for i in items if i[field] and i[field]["type"] == "track" and i[field]["id"]
    ]
    assert real == list(playlist.track_ids)


def test_page_fields_and_limits(spotify_simulator):
    sim = spotify_simulator
    playlist = _playlist_with_extras(sim.world, set(), minimum=30)
    total = len(playlist.entries({"local", "episode", "null"}))
    page = sim.get(f"/playlists/{playlist.id}/items", limit=10, offset=10).json()
    base = f"{sim.api_url}/playlists/{playlist.id}/items"
    assert page["href"] == f"{base}?offset=10&limit=10"
    assert page["previous"] == f"{base}?offset=0&limit=10"
    assert page["next"] == (f"{base}?offset=20&limit=10" if total > 20 else None)
    assert page["total"] == total and page["limit"] == 10 and page["offset"] == 10
    assert sim.get(f"/playlists/{playlist.id}/items").json()["limit"] == 20
    past = sim.get(f"/playlists/{playlist.id}/items", offset=total + 5).json()
    assert past["items"] == [] and past["next"] is None
    assert sim.get(f"/playlists/{playlist.id}/items", limit=51).status == 400
    assert sim.get(f"/playlists/{playlist.id}/tracks", limit=100).status == 200
    assert sim.get(f"/playlists/{playlist.id}/tracks", limit=101).status == 400
    assert sim.get(f"/playlists/{playlist.id}/items", offset=-1).status == 400


def test_unknown_editorial_private_and_malformed_ids(spotify_simulator):
    sim = spotify_simulator
    editorial = sim.world.editorial_ids[0]
    assert editorial.startswith(EDITORIAL_PREFIX)
    assert sim.get(f"/playlists/{editorial}").status == 404
    assert sim.get(f"/playlists/{editorial}/items").status == 404
    assert sim.get("/playlists/" + "A" * 22).status == 404
    bad = sim.get("/playlists/not-an-id")
    assert bad.status == 400 and bad.json()["error"] == {
        "status": 400,
        "message": "Invalid base62 id",
    }
    private = next(p for p in sim.world.playlists.values() if not p.public)
    assert sim.get(f"/playlists/{private.id}/items").status == 404
    assert (
        sim.get(f"/playlists/{private.id}/items", token=sim.token(private.owner_id)).status == 200
    )


def test_search_pages_through_every_result_with_nulls_and_editorial_entries(spotify_simulator):
    sim = spotify_simulator
    world = sim.world
    artist = max(world.artists.values(), key=lambda a: len(world.search_playlists(a.name)))
    expected = world.search_playlists(artist.name)
    assert len(expected) > 20
    items = sim.walk(
        f"{sim.api_url}/search?q={artist.name.replace(' ', '%20')}&type=playlist&limit=7",
        key="playlists",
    )
    served = sim.state.search_results(artist.name.lower())
    assert len(items) == len(served)
    assert [i["id"] for i in items if i and not i["id"].startswith(EDITORIAL_PREFIX)] == expected
    assert [i and i["id"] for i in items] == served
    first = next(i for i in items if i and not i["id"].startswith(EDITORIAL_PREFIX))
    assert set(first) >= {"id", "name", "owner", "items", "snapshot_id", "uri", "public"}


def test_search_mess_appears_across_queries(spotify_simulator):
    sim = spotify_simulator
    nulls = editorial = 0
    for artist in list(sim.world.artists.values())[:80]:
        served = sim.state.search_results(artist.name.lower())
        nulls += served.count(None)
        editorial += sum(1 for s in served if s and s.startswith(EDITORIAL_PREFIX))
    assert nulls > 0 and editorial > 0


def test_search_arguments(spotify_simulator):
    sim = spotify_simulator
    assert sim.get("/search", q="velvet", type="playlist", limit=50).status == 200
    assert sim.get("/search", q="velvet", type="playlist", limit=51).status == 400
    assert sim.get("/search", q="velvet", type="playlist", offset=1001).status == 400
    assert sim.get("/search", type="playlist").status == 400
    assert sim.get("/search", q="velvet", type="podcast").status == 400
    empty = sim.get("/search", q="zzzz qqqq", type="playlist").json()["playlists"]
    assert empty["items"] == [] and empty["total"] == 0 and empty["next"] is None
    both = sim.get("/search", q="velvet", type="playlist,track").json()
    assert set(both) == {"playlists", "tracks"}


def test_search_offsets_stop_at_1000(spotify_simulator):
    sim = spotify_simulator
    assert sim.get("/search", q="the", type="playlist", offset=1000).status == 200
    assert sim.get("/search", q="the", type="playlist", offset=1001).status == 400
    url = "http://x/v1/search"
    at_cap = json.loads(paging_json(url, "[]", 5000, 990, 10, "", 1000))
    assert at_cap["next"] == f"{url}?offset=1000&limit=10"
    past_cap = json.loads(paging_json(url, "[]", 5000, 995, 10, "", 1000))
    assert past_cap["next"] is None and past_cap["total"] == 5000


def test_artist_track_and_audio_features(spotify_simulator):
    sim = spotify_simulator
    track = next(iter(sim.world.tracks.values()))
    body = sim.get(f"/tracks/{track.id}").json()
    assert body["id"] == track.id and body["name"] == track.name
    assert body["duration_ms"] == track.duration_ms and body["explicit"] == track.explicit
    assert [a["id"] for a in body["artists"]] == list(track.artist_ids)
    assert body["album"]["id"] == track.album_id
    assert body["album"]["release_date"] == sim.world.albums[track.album_id].release_date
    assert body["popularity"] == track.popularity
    artist = sim.world.artists[track.artist_ids[0]]
    a_body = sim.get(f"/artists/{artist.id}").json()
    assert a_body["name"] == artist.name and a_body["genres"] == [artist.genre]
    ids = [t.id for t in list(sim.world.tracks.values())[:3]] + ["B" * 22]
    features = sim.get("/audio-features", ids=",".join(ids)).json()["audio_features"]
    assert features[3] is None
    for tid, row in zip(ids, features[:3], strict=False):
        assert row["id"] == tid
        assert {k: row[k] for k in sim.world.tracks[tid].audio_features} == sim.world.tracks[
            tid
        ].audio_features
    assert sim.get(f"/audio-features/{track.id}").json()["energy"] == track.audio_features["energy"]
    assert sim.get("/audio-features", ids=",".join([track.id] * 101)).status == 400
    assert sim.get("/tracks/" + "C" * 22).status == 404
    assert sim.get("/artists/xyz").status == 400


def test_users_and_me(spotify_simulator):
    sim = spotify_simulator
    user = next(iter(sim.world.users.values()))
    assert sim.get(f"/users/{user.id}").json()["display_name"] == user.display_name
    assert sim.get("/me").status == 401
    assert sim.get("/me", token=sim.token(user.id)).json()["id"] == user.id


def test_extra_kinds_are_the_ones_the_world_stores(spotify_simulator):
    kinds = {e.kind for p in spotify_simulator.world.playlists.values() for e in p.extras}
    assert kinds <= {"local", "episode", "null"}
    assert isinstance(
        next(e for p in spotify_simulator.world.playlists.values() for e in p.extras), Extra
    )
