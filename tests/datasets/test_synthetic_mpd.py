"""The MPD-shaped generator: deterministic, readable as MPD slices, shaped like real playlists."""

from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict
from itertools import combinations

import numpy as np
import pytest
from click.testing import CliRunner

from support.cli_checks import assert_one_line_error
from tunegraph.cli.main import cli
from tunegraph.datasets.mpd import iter_playlists
from tunegraph.datasets.shape_stats import REAL_MPD, format_table, shape_statistics
from tunegraph.datasets.synthetic_mpd import MpdShape, generate_mpd, write_mpd_slices


@pytest.fixture(scope="module")
def world():
    return generate_mpd(MpdShape(playlists=2000, seed=5))


@pytest.fixture
def synth(tmp_path):
    return tmp_path / "synth"


@pytest.fixture
def generate_cli(synth):
    """`tunegraph simulator generate-mpd` into ``synth``, 50 playlists a slice, seed 4."""

    def generate(playlists: int):
        args = ["--playlists", str(playlists), "--seed", "4", "--out", str(synth),
                "--per-slice", "50"]  # fmt: skip
        return CliRunner().invoke(cli, ["simulator", "generate-mpd", *args])

    return generate


def _digest(folder) -> str:
    h = hashlib.sha256()
    for f in sorted(folder.iterdir()):
        h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()


def test_same_seed_same_bytes_and_slicing_does_not_change_playlists(tmp_path):
    shape = MpdShape(playlists=300, seed=11)
    write_mpd_slices(tmp_path / "a", shape, per_slice=100)
    write_mpd_slices(tmp_path / "b", shape, per_slice=100)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    write_mpd_slices(tmp_path / "c", shape, per_slice=250)
    write_mpd_slices(tmp_path / "d", MpdShape(playlists=300, seed=12), per_slice=100)
    a = [(p.pid, p.name, p.tracks) for p in iter_playlists(tmp_path / "a")]
    assert a == [(p.pid, p.name, p.tracks) for p in iter_playlists(tmp_path / "c")]
    assert a != [(p.pid, p.name, p.tracks) for p in iter_playlists(tmp_path / "d")]


def test_slices_parse_and_look_like_mpd(tmp_path):
    paths = write_mpd_slices(tmp_path, MpdShape(playlists=250, seed=3), per_slice=100)
    assert [p.name for p in paths] == [
        "mpd.slice.0-99.json", "mpd.slice.100-199.json", "mpd.slice.200-249.json"
    ]  # fmt: skip
    records = list(iter_playlists(tmp_path))
    assert [r.pid for r in records] == list(range(250))
    for r in records:
        assert r.name and r.num_tracks == len(r.tracks) >= 5
        assert [t.pos for t in r.tracks] == list(range(len(r.tracks)))
        assert len({t.track_uri for t in r.tracks}) == len(r.tracks)
    track = records[0].tracks[0]
    for uri, kind in ((track.track_uri, "track"), (track.artist_uri, "artist"),
                      (track.album_uri, "album")):  # fmt: skip
        prefix, _, rest = uri.rpartition(":")
        assert prefix == f"spotify:{kind}" and len(rest) == 22 and rest.isalnum()
    assert any(r.description for r in records)


def test_records_carry_mpd_fields(world):
    record = world.playlists[0]
    assert set(record) >= {"pid", "name", "collaborative", "modified_at", "num_tracks",
                           "num_albums", "num_followers", "num_artists", "num_edits",
                           "duration_ms", "tracks"}  # fmt: skip
    assert record["collaborative"] in ("true", "false")
    assert record["duration_ms"] == sum(t["duration_ms"] for t in record["tracks"])
    assert record["num_artists"] == len({t["artist_uri"] for t in record["tracks"]})


def test_statistics_of_a_small_world_are_near_real(world):
    stats = shape_statistics(world.rows())
    # loose: a 2,000-playlist world has a smaller tail than 10,000 real-sample playlists
    bounds = {"singleton_tracks": 0.3, "top10_coverage": 0.3, "same_artist_pair": 0.5,
              "distinct_artist_ratio": 0.25, "shown_artist_firsthalf": 0.5,
              "length_median": 0.25}  # fmt: skip
    for key, tol in bounds.items():
        assert abs(stats[key] / REAL_MPD[key] - 1) <= tol, (key, stats[key])
    assert 0.15 < stats["cold_hidden"] < 0.45  # fewer playlists, more cold tracks
    assert stats["shown_artist_first5"] < stats["shown_artist_firsthalf"]
    assert "real MPD" in format_table(stats)


def test_catalogue_grows_sublinearly():
    small, big = (generate_mpd(MpdShape(playlists=n, seed=1)) for n in (1000, 16000))
    assert 1.3 < big.n_tracks / small.n_tracks < 16
    assert big.rows().track_id.nunique() / small.rows().track_id.nunique() < 16


def test_names_carry_a_noisy_signal(world):
    tracks = defaultdict(set)
    for pid, t in zip(world.rows().playlist_id, world.rows().track_id, strict=True):
        tracks[int(pid)].add(int(t))
    by_name = defaultdict(list)
    for r in world.playlists:
        by_name[r["name"]].append(r["pid"])
    counts = sorted((len(v) for v in by_name.values()), reverse=True)
    # many exact duplicate names ("country", "chill"), and a long tail of names of their own
    assert counts[0] >= 20 and sum(c for c in counts if c > 1) > 2000 / 3
    assert len(by_name) < 1300

    def overlap(a: int, b: int) -> float:
        return len(tracks[a] & tracks[b]) / min(len(tracks[a]), len(tracks[b]))

    same = [overlap(a, b) for name, pids in by_name.items()
            if name not in ("my playlist", "songs", "music")
            for a, b in list(combinations(pids, 2))[:30]]  # fmt: skip
    rng = np.random.default_rng(0)
    pairs = rng.integers(0, 2000, (len(same), 2))
    random = [overlap(int(a), int(b)) for a, b in pairs if a != b]
    assert np.mean(same) > 2 * np.mean(random)


def test_tracks_are_listed_with_their_companions(world):
    """Co-listening: a track shares its playlists with its own fixed companions more often
    than with another track's (of the same popularity), and only because of the companion
    draws (the same world without them shows no such pairing)."""
    alone = generate_mpd(dataclasses.replace(world.shape, companion_share=0.0))
    companions = world.catalogue.companions
    sham = np.roll(companions, 1, axis=0)  # the neighbouring track's: same genre, mostly

    def with_companion(w, pairs: np.ndarray) -> float:
        rows = w.rows()
        member = set(zip(rows.playlist_id.tolist(), rows.track_id.tolist(), strict=True))
        found = [
            any((p, c) in member for c in pairs[t].tolist())
            for p, t in zip(rows.playlist_id.tolist(), rows.track_id.tolist(), strict=True)
        ]
        return float(np.mean(found))

    assert world.shape.companion_share > 0
    assert with_companion(world, companions) > 1.15 * with_companion(world, sham)
    assert with_companion(alone, companions) < 1.05 * with_companion(alone, sham)


def test_oracle_scores_are_a_distribution_that_knows_the_playlist(world):
    rows = world.rows()
    hits = []
    for pid in range(0, 2000, 50):
        scores = world.oracle_scores(pid)
        assert scores.shape == (world.n_tracks,) and abs(scores.sum() - 1) < 1e-6
        own = rows.track_id[rows.playlist_id == pid].to_numpy()
        top = np.argsort(-scores)[:200]
        hits.append(np.isin(own, top).mean())
    assert np.mean(hits) > 0.2


def test_cli_generates_slices(synth, generate_cli):
    result = generate_cli(120)
    assert result.exit_code == 0, result.output
    assert "Wrote 120 playlists in 3 slice files" in result.output
    assert len(list(iter_playlists(synth))) == 120


def test_cli_help_and_one_line_errors(tmp_path):
    runner = CliRunner()
    help_text = runner.invoke(cli, ["simulator", "generate-mpd", "--help"]).output
    assert "Example:" in help_text and "tunegraph simulator generate-mpd" in help_text
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    cases = [
        (["--playlists", "0", "--out", str(tmp_path / "x")], "--playlists must be at least 1"),
        (["--playlists", "5", "--out", str(afile)], "not a folder"),
        (["--playlists", "5", "--out", str(afile / "sub")], "cannot write"),
        (["--playlists", "5", "--per-slice", "0", "--out", str(tmp_path)], "--per-slice"),
    ]
    for args, message in cases:
        result = runner.invoke(cli, ["simulator", "generate-mpd", *args])
        assert_one_line_error(result, message, exit_code=None)


def test_serve_builds_an_mpd_shaped_world():
    from tunegraph.simulator.world import generate_mpd_shaped_world

    served = generate_mpd_shaped_world(playlists=50, seed=2)
    assert served.source == "mpd-shaped" and len(served.playlists) == 50
    assert served.checksum() == generate_mpd_shaped_world(playlists=50, seed=2).checksum()


def test_cli_replaces_its_own_slices_whole_and_never_others_files(tmp_path, synth, generate_cli):
    generate, out = generate_cli, synth
    assert generate(120).exit_code == 0
    assert generate(60).exit_code == 0
    assert len(list(iter_playlists(out))) == 60  # no slice of the first run left beside
    (out / "notes.txt").write_text("mine")
    result = generate(60)
    assert result.exit_code == 1 and "did not write (notes.txt)" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["synth"]
