"""The synthetic world: deterministic, Spotify-shaped, and structured enough to learn from."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import asdict

import pytest

from support.simulator_fixtures import SMALL_WORLD, world_for
from tunegraph.datasets.vocabulary import FEATURES
from tunegraph.simulator.entities import normalize
from tunegraph.simulator.ids import is_spotify_id
from tunegraph.simulator.world import WorldConfig, generate_world

CONFIG = WorldConfig(seed=3, playlists=400, users=80, artists=160, tracks=2500, genres=12)


@pytest.fixture(scope="module")
def world():
    return generate_world(CONFIG)


def test_same_seed_gives_the_same_world_byte_for_byte(world):
    again = generate_world(CONFIG)
    assert again.checksum() == world.checksum()
    assert [asdict(p) for p in again.playlists.values()] == [
        asdict(p) for p in world.playlists.values()
    ]
    other = generate_world(WorldConfig(**{**asdict(CONFIG), "seed": 4}))
    assert other.checksum() != world.checksum()
    assert set(other.playlists).isdisjoint(world.playlists)


def test_sizes_and_spotify_shaped_ids(world):
    assert world.sizes()["playlists"] == CONFIG.playlists
    assert len(world.tracks) == CONFIG.tracks
    assert len(world.artists) == CONFIG.artists
    assert len(world.users) == CONFIG.users
    for ids in (world.playlists, world.tracks, world.artists, world.albums):
        assert all(is_spotify_id(i) for i in ids)
    assert len({a.name for a in world.artists.values()}) == len(world.artists)
    assert len({p.name for p in world.playlists.values()}) == len(world.playlists)
    assert len({a.genre for a in world.artists.values()}) == CONFIG.genres


def test_references_resolve(world):
    for playlist in world.playlists.values():
        assert playlist.owner_id in world.users
        assert len(set(playlist.track_ids)) == len(playlist.track_ids)
        assert all(t in world.tracks for t in playlist.track_ids)
    for track in world.tracks.values():
        assert track.album_id in world.albums
        assert all(a in world.artists for a in track.artist_ids)
        assert set(track.audio_features) == set(FEATURES)


def test_users_favour_one_to_three_genres_and_playlists_follow_them(world):
    assert all(1 <= len(u.genres) <= 3 for u in world.users.values())
    in_own = total = 0
    for playlist in world.playlists.values():
        own = set(world.users[playlist.owner_id].genres)
        for track_id in playlist.track_ids:
            total += 1
            in_own += world.artists[world.tracks[track_id].artist_ids[0]].genre in own
    assert in_own / total > 0.7


def test_popularity_is_long_tailed_and_follows_plays(world):
    plays = Counter(t for p in world.playlists.values() for t in p.track_ids)
    counts = sorted(plays.values(), reverse=True)
    top_share = sum(counts[: len(counts) // 20]) / sum(counts)
    assert top_share > 0.25  # the top 5% of tracks take far more than 5% of plays
    most, least = counts[0], min(plays.values())
    by_plays = {n: world.tracks[t].popularity for t, n in plays.items()}
    assert by_plays[most] == 100
    assert by_plays[least] < by_plays[most]


def test_audio_features_carry_genre_signal(world):
    by_genre: dict[str, list[float]] = {}
    for track in world.tracks.values():
        genre = world.artists[track.artist_ids[0]].genre
        by_genre.setdefault(genre, []).append(track.audio_features["energy"])
    means = [statistics.mean(v) for v in by_genre.values() if len(v) > 5]
    within = statistics.mean(statistics.pstdev(v) for v in by_genre.values() if len(v) > 5)
    assert statistics.pstdev(means) > 2 * within


def test_search_for_an_artist_name_finds_playlists_mentioning_or_containing_it(world):
    found = 0
    for artist in list(world.artists.values())[:60]:
        results = world.search_playlists(artist.name)
        for pid in results:
            playlist = world.playlists[pid]
            text = normalize(playlist.name + " " + playlist.description)
            contains = any(artist.id in world.tracks[t].artist_ids for t in playlist.track_ids)
            assert normalize(artist.name) in text or contains
            assert playlist.public
        found += bool(results)
        followers = [world.playlists[p].followers for p in results]
        assert followers == sorted(followers, reverse=True)
    assert found >= 50
    mentioned = sum(
        any(
            normalize(a.name) in normalize(p.name + " " + p.description)
            for a in world.artists.values()
        )
        for p in list(world.playlists.values())[:100]
    )
    assert mentioned > 40
    assert world.search_playlists("zzz no such words") == []


def test_extras_sit_beside_the_real_tracks(world):
    with_extras = [p for p in world.playlists.values() if p.extras]
    assert with_extras, "the default mess rates put some extras in a world this size"
    kinds = {e.kind for p in with_extras for e in p.extras}
    assert kinds == {"local", "episode", "null"}
    for playlist in with_extras:
        full = playlist.entries({"local", "episode", "null"})
        assert len(full) == len(playlist.track_ids) + len(playlist.extras)
        assert [e for e in full if isinstance(e, str)] == list(playlist.track_ids)
        for extra in playlist.extras:
            assert full[extra.position] is extra
        assert playlist.entries(set()) == list(playlist.track_ids)


def test_seed_playlists_are_public_and_most_followed(world):
    seeds = world.seed_playlist_ids(5)
    assert len(seeds) == 5
    followers = [world.playlists[s].followers for s in seeds]
    assert followers == sorted(followers, reverse=True)
    assert followers[-1] >= max(
        p.followers for p in world.playlists.values() if p.id not in seeds and p.public
    )


def test_invalid_sizes_fail_with_one_clear_line():
    with pytest.raises(ValueError, match="at least 1 of tracks"):
        generate_world(WorldConfig(tracks=0))


def test_tiny_world_still_builds():
    world = world_for(SMALL_WORLD)
    assert world.sizes()["playlists"] == SMALL_WORLD.playlists
    tiny = generate_world(WorldConfig(playlists=3, users=1, artists=1, tracks=2, genres=1))
    assert all(p.track_ids for p in tiny.playlists.values())
