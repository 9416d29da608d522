"""The request log a crawler test reads: items fetches per playlist and client."""

from __future__ import annotations


def test_items_fetches_are_logged_per_playlist_client_and_offset(simulator_factory):
    sim = simulator_factory()
    token = sim.token()
    playlists = [p for p in sim.world.playlists.values() if p.public and len(p.track_ids) > 25][:2]
    first, second = playlists
    sim.client_tag = "proc-1"
    sim.walk(f"{sim.api_url}/playlists/{first.id}/items?limit=20", token=token)
    sim.client_tag = "proc-2"
    sim.get(f"/playlists/{second.id}/tracks", token=token)
    sim.get(f"/playlists/{first.id}/items", token=token, limit=20)
    sim.client_tag = None
    sim.get(f"/playlists/{second.id}/items", token=token, limit=5, offset=5)
    log = sim.stats()["items_requests"]
    pages = -(-len(first.entries({"local", "episode", "null"})) // 20)
    assert log[first.id]["count"] == pages + 1
    assert log[first.id]["by_client"] == {"proc-1": pages, "proc-2": 1}
    assert log[first.id]["offsets"]["0"] == 2
    assert log[second.id]["by_client"] == {"proc-2": 1, "tunegraph-demo": 1}
    assert set(log[second.id]["offsets"]) == {"0", "5"}
    assert set(log) == {first.id, second.id}
    assert log[first.id]["embedded"] == 0
    sim.get(f"/playlists/{first.id}", token=token)
    after = sim.stats()["items_requests"][first.id]
    assert after["embedded"] == 1 and after["count"] == pages + 1


def test_refused_fetches_are_not_logged_and_stats_reset(simulator_factory):
    sim = simulator_factory(mode="development")
    playlist = next(p for p in sim.world.playlists.values() if p.public)
    assert sim.get(f"/playlists/{playlist.id}/items").status == 403
    stats = sim.stats()
    assert stats["items_requests"] == {}
    assert stats["requests"]["GET /v1/playlists/{id}/items"] == {"403": 1}
    assert stats["requests"]["POST /api/token"] == {"200": 1}
    assert stats["tokens_issued"] == 1
    sim.reset_stats()
    after = sim.stats()
    assert after["requests"] == {} and after["total_requests"] == 0
