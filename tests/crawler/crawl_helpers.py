"""Shared by the crawler tests: the expected BFS closure from a World, graph snapshots, runs."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from support.simulator_fixtures import CLIENT_ID, CLIENT_SECRET, SimHandle
from tunegraph.crawler import ApiSettings, CrawlSettings, CrawlSummary, crawl
from tunegraph.graphstore.driver import GraphStore
from tunegraph.graphstore.frontier import child_key, seed_key
from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.simulator.entities import World
from tunegraph.simulator.ids import is_editorial

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Expected:
    visited: list[str] = field(default_factory=list)
    done: set[str] = field(default_factory=set)
    inaccessible: set[str] = field(default_factory=set)
    tracks: set[str] = field(default_factory=set)
    artists: set[str] = field(default_factory=set)
    contains: set[tuple[str, str, int]] = field(default_factory=set)
    found: set[tuple[str, str, int]] = field(default_factory=set)


def expected_closure(world: World, settings: CrawlSettings) -> Expected:
    """The breadth-first closure within the caps, straight from the world (mess off)."""
    best: dict[str, tuple[int, str]] = {
        pid: (0, seed_key(i)) for i, pid in enumerate(settings.seeds)
    }
    out = Expected()
    cap = settings.max_playlists or 10**9
    for depth in range(settings.max_depth + 1):
        level = sorted((k, pid) for pid, (d, k) in best.items() if d == depth)
        for key, pid in level:
            if len(out.visited) >= cap:
                return out
            out.visited.append(pid)
            playlist = world.playlists.get(pid)
            if playlist is None or not playlist.public or is_editorial(pid):
                out.inaccessible.add(pid)
                continue
            out.done.add(pid)
            tracks = playlist.track_ids[: settings.tracks_per_playlist]
            artists: list[str] = []
            for position, tid in enumerate(tracks):
                out.tracks.add(tid)
                out.contains.add((pid, tid, position))
                for aid in world.tracks[tid].artist_ids:
                    out.artists.add(aid)
                    if aid not in artists:
                        artists.append(aid)
            if depth >= settings.max_depth:
                continue
            for index, aid in enumerate(artists[: settings.artists_per_playlist]):
                results = world.search_playlists(world.artists[aid].name)
                shown = results[: settings.search_pages * settings.search_limit]
                for rank, found in enumerate(shown):
                    out.found.add((aid, found, rank))
                    candidate = (depth + 1, child_key(key, index, rank))
                    if found not in best or candidate < best[found]:
                        if found in best and best[found][0] <= depth:
                            continue
                        best[found] = candidate
    return out


@dataclass
class GraphSnapshot:
    nodes: dict[str, set[str]]
    node_counts: dict[str, int]
    rels: dict[str, set[tuple]]
    rel_counts: dict[str, int]
    states: dict[str, str]
    reasons: dict[str, str | None]

    def content(self) -> tuple[dict[str, set[str]], dict[str, set[tuple]]]:
        return self.nodes, self.rels

    def assert_no_duplicates(self) -> None:
        for label, ids in self.nodes.items():
            assert self.node_counts[label] == len(ids), f"duplicate {label} nodes"
        for rel_type, rows in self.rels.items():
            assert self.rel_counts[rel_type] == len(rows), f"duplicate {rel_type} relationships"


async def _snapshot(settings: Neo4jSettings) -> GraphSnapshot:
    async with GraphStore(settings) as store:
        node_rows = await store.run(
            "MATCH (n) WHERE NOT n:Crawl RETURN labels(n)[0] AS label, n.id AS id"
        )
        rel_rows = await store.run(
            "MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS a, b.id AS b, "
            "r.position AS position, r.rank AS rank, r.query AS query, r.added_at AS added_at"
        )
        state_rows = await store.run(
            "MATCH (p:Playlist) WHERE p.crawl_state IS NOT NULL "
            "RETURN p.id AS id, p.crawl_state AS state, p.crawl_reason AS reason"
        )
    nodes: dict[str, set[str]] = {}
    node_counts: dict[str, int] = {}
    for row in node_rows:
        nodes.setdefault(row["label"], set()).add(row["id"])
        node_counts[row["label"]] = node_counts.get(row["label"], 0) + 1
    rels: dict[str, set[tuple]] = {}
    rel_counts: dict[str, int] = {}
    for row in rel_rows:
        key = (row["a"], row["b"], row["position"], row["rank"], row["query"], row["added_at"])
        rels.setdefault(row["type"], set()).add(key)
        rel_counts[row["type"]] = rel_counts.get(row["type"], 0) + 1
    return GraphSnapshot(
        nodes,
        node_counts,
        rels,
        rel_counts,
        {r["id"]: r["state"] for r in state_rows},
        {r["id"]: r["reason"] for r in state_rows},
    )


def snapshot(settings: Neo4jSettings) -> GraphSnapshot:
    return asyncio.run(_snapshot(settings))


def done_count(settings: Neo4jSettings) -> int:
    """Playlists the crawl has finished with (read or found inaccessible)."""

    async def main() -> int:
        async with GraphStore(settings) as store:
            rows = await store.run(
                "MATCH (p:Playlist) WHERE p.crawl_state IN ['done', 'inaccessible'] "
                "RETURN count(p) AS n"
            )
            return rows[0]["n"]

    return asyncio.run(main())


def wait_for_progress(
    proc: subprocess.Popen[str], settings: Neo4jSettings, done: int, timeout_s: float = 60
) -> None:
    """Until the crawl in ``proc`` has finished with ``done`` playlists (and still runs)."""
    deadline = time.monotonic() + timeout_s
    while done_count(settings) < done:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the crawl made no progress"
        time.sleep(0.05)


def crawl_settings(sim: SimHandle, seeds: list[str], **changes: Any) -> CrawlSettings:
    api_changes = {k[4:]: changes.pop(k) for k in list(changes) if k.startswith("api_")}
    api = ApiSettings(
        api_url=sim.api_url,
        token_url=sim.token_url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        rate_limit=10_000,
        timeout_s=2.0,
        backoff_base_s=0.05,
        backoff_cap_s=0.5,
        max_attempts=12,
    )
    api = replace(api, **api_changes)
    defaults: dict[str, Any] = dict(
        seeds=tuple(seeds),
        api=api,
        workers=4,
        max_depth=2,
        max_playlists=25,
        tracks_per_playlist=10,
        artists_per_playlist=4,
        search_pages=1,
        search_limit=5,
        flush_interval_s=0.05,
        lease_s=10.0,
    )
    defaults.update(changes)
    return CrawlSettings(**defaults)


def cli_caps(caps: dict[str, int]) -> list[str]:
    """``caps`` (crawl_settings keywords) as `tunegraph crawl` options, with crawl_settings'
    search limit and a rate limit that never bites."""
    options = {**caps, "search_limit": 5, "rate_limit": 10_000}
    return [arg for name, value in options.items()
            for arg in (f"--{name.replace('_', '-')}", str(value))]  # fmt: skip


def run_crawl(settings: CrawlSettings, neo4j: Neo4jSettings, **kwargs: Any) -> CrawlSummary:
    return asyncio.run(crawl(settings, neo4j, **kwargs))


def cli_args(sim: SimHandle, neo4j: Neo4jSettings, seeds: list[str], *extra: str) -> list[str]:
    args = [str(Path(sys.executable).parent / "tunegraph"), "crawl"]
    for seed in seeds:
        args += ["--seed-playlist", seed]
    args += [
        "--api-url", sim.api_url, "--token-url", sim.token_url,
        "--uri", neo4j.uri, "--user", neo4j.user, "--password", neo4j.password,
        "--timeout", "2", "--quiet", "--json",
    ]  # fmt: skip
    return args + list(extra)


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["SPOTIFY_CLIENT_ID"] = CLIENT_ID
    env["SPOTIFY_CLIENT_SECRET"] = CLIENT_SECRET
    env.pop("SPOTIFY_ACCESS_TOKEN", None)
    env["PYTHONPATH"] = str(REPO / "src")
    return env


def start_cli(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        args, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
