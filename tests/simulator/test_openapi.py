"""The simulator's extended-mode answers match Spotify's public OpenAPI description.

Every endpoint a crawl (or ``recommend --save-playlist``) uses is asked over loopback
HTTP, and each answer, errors included, is validated against the description's schema
for that operation and status, as a strict generated client would. What real Spotify
sends outside the description is checked apart: ``null`` search results, playlist
entries whose track is ``null``, local files (their ``id``, ``href`` and album and
artist ids are ``null``, which the description's track object cannot express), and the
accounts service's token answer.
"""

from __future__ import annotations

import re
from typing import Any

from support.simulator_fixtures import SimHandle
from support.spotify_openapi import response_errors
from tunegraph.simulator.entities import Playlist, World

UNKNOWN = "0" * 22  # a well-formed id no world holds


def _messy(world: World, kind: str) -> Playlist:
    return next(
        p for p in world.playlists.values() if p.public and any(e.kind == kind for e in p.extras)
    )


def _entries_apart(body: Any, field: str) -> list[str]:
    """Take local-file and null entries out of a page of playlist items (the description
    cannot express them); what is wrong with them, checked against Spotify's own shapes."""
    problems: list[str] = []
    kept = []
    if not isinstance(body.get("items"), list):
        return []  # not a page: the validation says so
    for entry in body["items"]:
        local = entry[field]
        if local is None:
            continue  # a track since removed: Spotify sends the entry with a null track
        if entry["is_local"]:
            if not (local["id"] is None and local["uri"].startswith("spotify:local:")
                    and local["type"] == "track" and local["is_local"] is True):  # fmt: skip
                problems.append(f"local file entry not shaped as Spotify's: {entry}")
        else:
            kept.append(entry)
    body["items"] = kept
    return problems


class Checker:
    """Asks the simulator and validates each answer; collects what does not match."""

    def __init__(self, sim: SimHandle) -> None:
        self.sim = sim
        self.errors: list[str] = []
        self.seen: set[tuple[str, str, int]] = set()

    def check(
        self, method: str, spec_path: str, url: str, status: int = 200, **request: Any
    ) -> Any:
        request.setdefault("token", self.sim.token())
        if not url.startswith("http"):
            url = f"/v1{url}"
        result = self.sim.request(method, url, **request)
        assert result.status == status, (method, url, result.status, result.body[:300])
        body = result.json()
        self.seen.add((method, spec_path, status))
        checked = body
        if spec_path.startswith("/playlists/{playlist_id}") and method == "GET" and status == 200:
            checked = result.json()  # a copy to take local files and null entries out of
            page = checked["items"] if spec_path == "/playlists/{playlist_id}" else checked
            field = "track" if spec_path.endswith("/tracks") else "item"
            self.errors += _entries_apart(page, field)
            if spec_path == "/playlists/{playlist_id}":
                self.errors += _entries_apart(checked["tracks"], "track")
        if spec_path == "/search" and status == 200:
            checked = result.json()  # a copy to take null results out of (Spotify sends them)
            for page in checked.values():
                page["items"] = [item for item in page["items"] if item is not None]
        self.errors += response_errors(method, spec_path, status, checked)
        return body

    def pages(self, spec_path: str, url: str) -> None:
        """Every page of a paged answer, following ``next``."""
        next_url: str | None = url
        while next_url:
            next_url = self.check("GET", spec_path, next_url)["next"]

    def report(self) -> str:
        distinct = sorted({re.sub(r"\[\d+\]", "[]", e) for e in self.errors})
        return f"{len(self.errors)} mismatches, {len(distinct)} kinds:\n" + "\n".join(distinct[:40])


def test_every_answer_a_crawl_uses_matches_the_description(spotify_simulator):
    sim, world = spotify_simulator, spotify_simulator.world
    check = Checker(sim)
    seed = world.seed_playlist_ids(1)[0]
    check.check("GET", "/playlists/{playlist_id}", f"/playlists/{seed}")
    for kind in ("local", "episode", "null"):
        messy = _messy(world, kind)
        check.check("GET", "/playlists/{playlist_id}", f"/playlists/{messy.id}")
        check.pages("/playlists/{playlist_id}/items", f"/playlists/{messy.id}/items?limit=50")
        check.pages("/playlists/{playlist_id}/tracks", f"/playlists/{messy.id}/tracks")
    private = next(p for p in world.playlists.values() if not p.public)
    check.check("GET", "/playlists/{playlist_id}", f"/playlists/{private.id}", 404)
    check.check("GET", "/playlists/{playlist_id}", f"/playlists/{world.editorial_ids[0]}", 404)
    check.check("GET", "/playlists/{playlist_id}/items", "/playlists/not-an-id/items", 400)

    served = sim.state.search_results
    artists = list(world.artists.values())
    mixed = next(a.name for a in artists if None in served(a.name.lower()))
    for name in (mixed, artists[0].name, "zzz nothing matches"):
        check.check(
            "GET", "/search", "/search", params={"q": name, "type": "playlist", "limit": 50}
        )
    check.check("GET", "/search", "/search", params={"q": "velvet", "type": "playlist,track,album"})
    check.check("GET", "/search", "/search", params={"q": "velvet", "type": "nope"}, status=400)

    track = world.tracks[world.playlists[seed].track_ids[0]]
    tracks = ",".join(world.playlists[seed].track_ids[:20])
    check.check("GET", "/tracks/{id}", f"/tracks/{track.id}")
    check.check("GET", "/tracks/{id}", f"/tracks/{UNKNOWN}", 404)
    check.check("GET", "/tracks", f"/tracks?ids={tracks}")
    check.check("GET", "/artists/{id}", f"/artists/{track.artist_ids[0]}")
    check.check("GET", "/artists", f"/artists?ids={','.join(a.id for a in artists[:20])}")
    check.pages("/artists/{id}/albums", f"/artists/{track.artist_ids[0]}/albums?limit=2")
    check.check("GET", "/albums/{id}", f"/albums/{track.album_id}")
    check.check("GET", "/albums", f"/albums?ids={','.join(list(world.albums)[:20])}")
    check.pages("/albums/{id}/tracks", f"/albums/{track.album_id}/tracks?limit=2")
    check.check("GET", "/audio-features/{id}", f"/audio-features/{track.id}")
    check.check("GET", "/audio-features", f"/audio-features?ids={tracks}")

    owner = world.playlists[seed].owner_id
    check.check("GET", "/users/{user_id}", f"/users/{owner}")
    check.pages("/users/{user_id}/playlists", f"/users/{owner}/playlists?limit=5")
    user_token = sim.token(owner)
    check.check("GET", "/me", "/me", token=user_token)
    new = {"name": "For you", "description": "tunegraph", "public": False}
    created = check.check("POST", "/users/{user_id}/playlists", f"/users/{owner}/playlists", 201,
                          token=user_token, json_body=new)  # fmt: skip
    uris = [f"spotify:track:{t}" for t in world.playlists[seed].track_ids[:5]]
    items_url = f"/playlists/{created['id']}/items"
    check.check("POST", "/playlists/{playlist_id}/items", items_url, 201,
                token=user_token, json_body={"uris": uris})  # fmt: skip
    check.check("GET", "/playlists/{playlist_id}", f"/playlists/{created['id']}", token=user_token)
    check.check("GET", "/me", "/me", 401, token="not-a-token")

    assert not check.errors, check.report()
    assert len(check.seen) >= 24  # every answer above was validated, errors included


def test_rate_limited_answers_match_the_description(simulator_factory):
    sim = simulator_factory(rate_limit=1, rate_window_s=3600.0)
    check = Checker(sim)
    playlist = next(p.id for p in sim.world.playlists.values() if p.public)
    check.check("GET", "/playlists/{playlist_id}", f"/playlists/{playlist}")
    refused = check.check("GET", "/playlists/{playlist_id}", f"/playlists/{playlist}", 429)
    assert refused["error"]["status"] == 429
    assert not check.errors, check.report()


def test_the_token_answer_has_the_accounts_services_shape(spotify_simulator):
    body = spotify_simulator.grant().json()
    assert set(body) == {"access_token", "token_type", "expires_in"}  # no scope: client grant
    assert isinstance(body["access_token"], str) and body["access_token"]
    assert body["token_type"] == "Bearer" and isinstance(body["expires_in"], int)
