"""An id names one thing for ever: two generated worlds never use one id for two things.

Real Spotify ids are global; crawling two simulated worlds into one Neo4j (the README's
order: ``make demo``, then the tour's ``simulator serve``) must not merge different
tracks, artists, albums, users or playlists under one id.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from tunegraph.cli.demo_cmd import _world_of_size, demo_cmd
from tunegraph.cli.simulator_cmd import serve
from tunegraph.simulator.entities import World
from tunegraph.simulator.world import WorldConfig, generate_mpd_shaped_world, generate_world


def _default(command: Any, name: str) -> Any:
    return next(p.default for p in command.params if p.name == name)


def _by_id(world: World) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every id of the world → (kind, content); popularity is the world's measure, not
    content, and a playlist's extras are where its mess sits (kept: they are content)."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for kind, entities in world.by_kind():
        for key, entity in entities.items():
            content = asdict(entity)
            content.pop("popularity", None)
            assert key not in out, f"{key} names a {out[key][0]} and a {kind} in one world"
            out[key] = (kind, content)
    for key in world.editorial_ids:
        out[key] = ("editorial", {})
    return out


def _clashes(first: World, second: World) -> list[str]:
    one, two = _by_id(first), _by_id(second)
    return [
        f"{key}: {one[key]} / {two[key]}" for key in sorted(one.keys() & two.keys())
        if one[key] != two[key]
    ]  # fmt: skip


def test_the_demo_world_and_the_tour_world_share_no_id_for_two_things():
    demo_world = generate_world(_world_of_size(_default(demo_cmd, "world_playlists")))
    sizes = ("seed", "playlists", "users", "artists", "tracks", "genres")
    tour_world = generate_world(WorldConfig(**{n: _default(serve, n) for n in sizes}))
    assert demo_world.checksum() != tour_world.checksum()
    clashes = _clashes(demo_world, tour_world)
    assert not clashes, f"{len(clashes)} ids name two things, e.g. {clashes[:3]}"


def test_worlds_differing_in_one_setting_share_no_id_for_two_things():
    base = WorldConfig(seed=5, playlists=80, users=20, artists=40, tracks=500, genres=6)
    for change in ({"seed": 6}, {"playlists": 120}, {"tracks": 600}, {"private_rate": 0.2}):
        other = WorldConfig(**{**asdict(base), **change})
        clashes = _clashes(generate_world(base), generate_world(other))
        assert not clashes, f"{change}: {len(clashes)} ids name two things: {clashes[:2]}"


def test_mpd_shaped_worlds_of_two_sizes_share_no_id_for_two_things():
    small = generate_mpd_shaped_world(playlists=40, seed=3)
    large = generate_mpd_shaped_world(playlists=90, seed=3)
    clashes = _clashes(small, large)
    assert not clashes, f"{len(clashes)} ids name two things, e.g. {clashes[:3]}"


def test_two_runs_of_one_world_never_create_one_id_for_two_playlists(simulator_factory):
    created = []
    for _ in range(2):
        sim = simulator_factory()
        user = next(iter(sim.world.users))
        answer = sim.request("POST", f"/v1/users/{user}/playlists", token=sim.token(user),
                             json_body={"name": f"run {len(created)}"})  # fmt: skip
        assert answer.status == 201
        created.append(answer.json()["id"])
    assert created[0] != created[1]
