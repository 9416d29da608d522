"""Two servers with one seed serve identical bodies (hrefs aside, which carry the port)."""

from __future__ import annotations

from support.simulator_fixtures import SMALL_WORLD
from tunegraph.simulator.world import generate_world


def _bodies(sim):
    world = sim.world
    token = sim.token()
    paths = []
    for playlist in list(world.playlists.values())[:15]:
        paths += [f"/playlists/{playlist.id}", f"/playlists/{playlist.id}/items?limit=13&offset=0"]
        paths.append(f"/playlists/{playlist.id}/tracks")
    for artist in list(world.artists.values())[:15]:
        paths.append(f"/search?q={artist.name.replace(' ', '+')}&type=playlist&limit=10")
        paths.append(f"/artists/{artist.id}")
    tracks = list(world.tracks)[:20]
    paths += [f"/tracks/{t}" for t in tracks] + ["/audio-features?ids=" + ",".join(tracks)]
    out = []
    for path in paths:
        result = sim.request("GET", f"/v1{path}", token=token)
        assert result.status in (200, 404)
        out.append(result.body.replace(sim.base_url.encode(), b"BASE"))
    out.append(sim.request("GET", "/_simulator/world").body)
    out.append(sim.request("GET", "/_simulator/seeds?n=10").body)
    return out


def test_two_servers_one_seed_identical_bodies(simulator_factory):
    first = simulator_factory(world=generate_world(SMALL_WORLD))
    second = simulator_factory(world=generate_world(SMALL_WORLD))
    assert first.base_url != second.base_url
    assert first.world is not second.world
    assert _bodies(first) == _bodies(second)


def test_world_and_seeds_endpoints(simulator_factory):
    sim = simulator_factory()
    info = sim.request("GET", "/_simulator/world").json()
    assert info["checksum"] == sim.world.checksum()
    assert info["sizes"] == sim.world.sizes()
    assert info["source"] == "synthetic" and info["seed"] == SMALL_WORLD.seed
    assert info["mode"] == "extended"
    seeds = sim.request("GET", "/_simulator/seeds").json()["playlist_ids"]
    assert seeds == sim.world.seed_playlist_ids(5)
    token = sim.token()
    assert all(sim.get(f"/playlists/{s}/items", token=token).status == 200 for s in seeds)
