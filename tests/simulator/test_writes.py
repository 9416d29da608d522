"""Saving a recommendation as a playlist: create for a user, add items, read them back."""

from __future__ import annotations


def test_user_creates_a_playlist_and_adds_items(simulator_factory):
    sim = simulator_factory(mode="development")
    user = next(iter(sim.world.users))
    token = sim.token(user)
    created = sim.request(
        "POST",
        f"/v1/users/{user}/playlists",
        token=token,
        json_body={"name": "For you", "description": "recs"},
    )
    assert created.status == 201
    playlist = created.json()
    assert playlist["name"] == "For you" and playlist["owner"]["id"] == user
    tracks = list(sim.world.tracks)[:120]
    uris = [f"spotify:track:{t}" for t in tracks]
    first = sim.request(
        "POST", f"/v1/playlists/{playlist['id']}/items", token=token, json_body={"uris": uris[:100]}
    )
    assert first.status == 201 and first.json()["snapshot_id"]
    second = sim.request(
        "POST",
        f"/v1/playlists/{playlist['id']}/tracks",
        token=token,
        json_body={"uris": uris[100:]},
    )
    assert second.status == 201 and second.json()["snapshot_id"] != first.json()["snapshot_id"]
    items = sim.walk(f"{sim.api_url}/playlists/{playlist['id']}/items?limit=50", token=token)
    assert [i["item"]["id"] for i in items] == tracks
    assert sim.get(f"/playlists/{playlist['id']}", token=token).json()["items"]["total"] == 120
    assert sim.world.sizes()["playlists"] == len(sim.world.playlists)
    assert playlist["id"] not in sim.world.playlists


def test_write_refusals(simulator_factory):
    sim = simulator_factory()
    users = list(sim.world.users)
    token = sim.token(users[0])
    assert (
        sim.request(
            "POST", f"/v1/users/{users[0]}/playlists", token=sim.token(), json_body={"name": "x"}
        ).status
        == 401
    )
    assert (
        sim.request(
            "POST", f"/v1/users/{users[1]}/playlists", token=token, json_body={"name": "x"}
        ).status
        == 403
    )
    assert (
        sim.request("POST", f"/v1/users/{users[0]}/playlists", token=token, json_body={}).status
        == 400
    )
    pid = sim.request(
        "POST", f"/v1/users/{users[0]}/playlists", token=token, json_body={"name": "x"}
    ).json()["id"]
    track = next(iter(sim.world.tracks))
    assert (
        sim.request(
            "POST",
            f"/v1/playlists/{pid}/items",
            token=token,
            json_body={"uris": ["spotify:track:nope"]},
        ).status
        == 400
    )
    assert (
        sim.request(
            "POST",
            f"/v1/playlists/{pid}/items",
            token=token,
            json_body={"uris": [f"spotify:track:{track}"] * 101},
        ).status
        == 400
    )
    assert (
        sim.request(
            "POST",
            f"/v1/playlists/{pid}/items",
            token=sim.token(users[1]),
            json_body={"uris": [f"spotify:track:{track}"]},
        ).status
        == 403
    )
    world_owned = next(p for p in sim.world.playlists.values() if p.owner_id == users[0])
    refused = sim.request(
        "POST",
        f"/v1/playlists/{world_owned.id}/items",
        token=token,
        json_body={"uris": [f"spotify:track:{track}"]},
    )
    assert refused.status == 403 and "read-only" in refused.json()["error"]["message"]
    query = sim.request(
        "POST", f"/v1/playlists/{pid}/items?uris=spotify:track:{track}", token=token
    )
    assert query.status == 201
