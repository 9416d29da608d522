"""Development vs extended mode, and token expiry on an injected clock."""

from __future__ import annotations

from support.simulator_fixtures import SMALL_WORLD


def _owned(world):
    return next(p for p in world.playlists.values() if p.public and len(p.track_ids) > 5)


def test_development_mode_serves_only_the_token_users_playlists(simulator_factory):
    sim = simulator_factory(mode="development")
    playlist = _owned(sim.world)
    assert sim.get(f"/playlists/{playlist.id}").status == 200
    refused = sim.get(f"/playlists/{playlist.id}/items")
    assert refused.status == 403 and refused.json()["error"]["status"] == 403
    assert sim.get(f"/playlists/{playlist.id}/tracks").status == 403
    assert "items" not in sim.get(f"/playlists/{playlist.id}").json()["items"]
    owner = sim.token(playlist.owner_id)
    items = sim.walk(f"{sim.api_url}/playlists/{playlist.id}/items?limit=50", token=owner)
    assert len(items) == len(playlist.entries({"local", "episode", "null"}))
    other = next(u for u in sim.world.users if u != playlist.owner_id)
    assert sim.get(f"/playlists/{playlist.id}/items", token=sim.token(other)).status == 403
    editorial = sim.world.editorial_ids[0]
    assert sim.get(f"/playlists/{editorial}/items", token=owner).status == 404


def test_development_mode_strips_popularity_features_and_caps_search(simulator_factory):
    sim = simulator_factory(mode="development")
    track = next(iter(sim.world.tracks.values()))
    body = sim.get(f"/tracks/{track.id}").json()
    assert "popularity" not in body and body["id"] == track.id
    artist = sim.get(f"/artists/{track.artist_ids[0]}").json()
    assert "popularity" not in artist and "followers" not in artist
    assert sim.get("/audio-features", ids=track.id).status == 403
    assert sim.get(f"/audio-features/{track.id}").status == 403
    assert sim.get("/search", q="velvet", type="playlist", limit=11).status == 400
    page = sim.get("/search", q="the", type="playlist").json()["playlists"]
    assert page["limit"] == 5
    assert sim.get("/search", q="the", type="playlist", limit=10).json()["playlists"]["limit"] == 10


def test_extended_mode_serves_public_items_popularity_and_features(simulator_factory):
    sim = simulator_factory(mode="extended")
    playlist = _owned(sim.world)
    assert sim.get(f"/playlists/{playlist.id}/items").status == 200
    track = next(iter(sim.world.tracks.values()))
    assert sim.get(f"/tracks/{track.id}").json()["popularity"] == track.popularity
    assert sim.get("/audio-features", ids=track.id).status == 200
    assert sim.get("/search", q="velvet", type="playlist", limit=50).status == 200


def test_mess_can_be_switched_off(simulator_factory):
    sim = simulator_factory(mess=frozenset())
    messy = next(p for p in sim.world.playlists.values() if p.extras and p.public)
    items = sim.walk(f"{sim.api_url}/playlists/{messy.id}/items?limit=50")
    assert [i["item"]["id"] for i in items] == list(messy.track_ids)
    for artist in list(sim.world.artists.values())[:40]:
        served = sim.state.search_results(artist.name.lower())
        assert served == sim.world.search_playlists(artist.name)


def test_only_local_files_when_asked(simulator_factory):
    sim = simulator_factory(mess=frozenset({"local"}))
    messy = next(
        p
        for p in sim.world.playlists.values()
        if p.public and any(e.kind == "local" for e in p.extras)
    )
    items = sim.walk(f"{sim.api_url}/playlists/{messy.id}/items?limit=50")
    assert all(i["item"] is not None and i["item"]["type"] == "track" for i in items)
    assert sum(i["is_local"] for i in items) == sum(e.kind == "local" for e in messy.extras)


def test_tokens_expire_after_their_ttl(simulator_factory, manual_clock):
    sim = simulator_factory(token_ttl=60, clock=manual_clock)
    token = sim.token()
    playlist = _owned(sim.world)
    assert sim.get(f"/playlists/{playlist.id}", token=token).status == 200
    manual_clock.advance(59.9)
    assert sim.get(f"/playlists/{playlist.id}", token=token).status == 200
    manual_clock.advance(0.2)
    expired = sim.get(f"/playlists/{playlist.id}", token=token)
    assert expired.status == 401
    assert expired.json()["error"]["message"] == "The access token expired"
    fresh = sim.token(fresh=True)
    assert sim.get(f"/playlists/{playlist.id}", token=fresh).status == 200


def test_other_credentials(simulator_factory):
    sim = simulator_factory(client_id="abc", client_secret="xyz")
    assert sim.grant(client=("abc", "xyz")).status == 200
    assert sim.grant().status == 400  # the default pair is refused here
    assert SMALL_WORLD.playlists == len(sim.world.playlists)


DEV_MODE_REMOVED_FIELDS = {"popularity", "followers", "available_markets", "external_ids",
                           "linked_from"}  # fmt: skip


def _keys(value) -> set[str]:
    """Every key of every object in a JSON value, however deep."""
    if isinstance(value, dict):
        return set(value).union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value))
    return set()


def test_development_mode_lost_the_endpoints_spotify_removed_in_february_2026(
    simulator_factory,
):
    sim = simulator_factory(mode="development")
    playlist = _owned(sim.world)
    owner = sim.token(playlist.owner_id)
    track = sim.world.tracks[playlist.track_ids[0]]
    removed = [
        f"/users/{playlist.owner_id}",
        f"/users/{playlist.owner_id}/playlists",
        f"/playlists/{playlist.id}/tracks",
        f"/tracks?ids={track.id}",
        f"/artists?ids={track.artist_ids[0]}",
        f"/albums?ids={track.album_id}",
    ]
    for path in removed:
        for token in (None, owner):  # the owner's own token changes nothing
            answer = sim.get(path, token=token)
            assert answer.status == 403, (path, answer.status)
            assert answer.json() == {"error": {"status": 403, "message": "Forbidden"}}
    uris = {"uris": [f"spotify:track:{track.id}"]}
    legacy_add = sim.request("POST", f"/v1/playlists/{playlist.id}/tracks", token=owner,
                             json_body=uris)  # fmt: skip
    assert legacy_add.status == 403
    kept = [f"/tracks/{track.id}", f"/artists/{track.artist_ids[0]}", f"/albums/{track.album_id}",
            f"/playlists/{playlist.id}", f"/albums/{track.album_id}/tracks"]  # fmt: skip
    assert all(sim.get(path).status == 200 for path in kept)
    assert sim.get(f"/playlists/{playlist.id}/items", token=owner).status == 200
    assert sim.get("/me", token=owner).json()["id"] == playlist.owner_id


def test_development_mode_answers_lack_the_fields_spotify_removed(simulator_factory):
    sim = simulator_factory(mode="development")
    messy = next(p for p in sim.world.playlists.values()
                 if p.public and {e.kind for e in p.extras} >= {"local", "episode"})  # fmt: skip
    owner = sim.token(messy.owner_id)
    track = sim.world.tracks[messy.track_ids[0]]
    answers = [
        sim.get(f"/playlists/{messy.id}", token=owner).json(),
        *sim.walk(f"{sim.api_url}/playlists/{messy.id}/items?limit=50", token=owner),
        sim.get(f"/playlists/{messy.id}").json(),
        sim.get(f"/tracks/{track.id}").json(),
        sim.get(f"/artists/{track.artist_ids[0]}").json(),
        sim.get(f"/artists/{track.artist_ids[0]}/albums").json(),
        sim.get(f"/albums/{track.album_id}").json(),
        sim.get(f"/albums/{track.album_id}/tracks").json(),
        sim.get("/search", q=sim.world.artists[track.artist_ids[0]].name, type="playlist").json(),
        sim.get("/me", token=owner).json(),
    ]
    items = answers[1 : 1 + len(messy.entries({"local", "episode", "null"}))]
    assert {i["item"]["type"] for i in items if i["item"]} == {"track", "episode"}
    assert any(i["is_local"] for i in items)
    for answer in answers:
        assert not _keys(answer) & DEV_MODE_REMOVED_FIELDS, answer
    created = sim.request("POST", f"/v1/users/{messy.owner_id}/playlists", token=owner,
                          json_body={"name": "mine"})  # fmt: skip
    assert created.status == 201 and not _keys(created.json()) & DEV_MODE_REMOVED_FIELDS
    extended = simulator_factory(mode="extended")
    full = extended.get(f"/albums/{track.album_id}").json()
    assert {"popularity", "available_markets", "external_ids"} <= _keys(full)
