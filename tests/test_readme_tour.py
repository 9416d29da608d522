"""The README's 60-second tour runs as a user would type it, and prints what the README shows.

Every ``$ command`` of the tour's blocks runs in order; the lines the README shows under
it must come out of the command, in that order (the README may leave lines out, and
says where with ``…`` or a parenthesised note). What legitimately differs between runs
is masked on both sides before comparing (``VARIES``): times, rates, a process id, a
data directory, and what the trained model computes (its metrics, its recommendations)
— the ids, counts, baselines' figures and table headers must match exactly.

The tour's `tunegraph neo4j start` is the one line not run: the session's Neo4j stands
in for it (NEO4J_URI/NEO4J_PASSWORD point there), and `tunegraph neo4j` has its own
tests. The simulator's port is swapped for a free one so the tour never meets a user's.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tunegraph.graphstore.settings import Neo4jSettings
from tunegraph.testing.ports import free_port, wait_for_port

README = Path(__file__).resolve().parents[1] / "README.md"
BIN = Path(sys.executable).parent
README_PORT = "8765"
MASK = "‹varies›"

# what may differ between two runs of the same command: (command prefix, pattern); what
# a model learns is masked (TensorFlow's, and the floating-point solvers' of EASE and ALS),
# what is counted (popularity, co-occurrence) is not
VARIES: tuple[tuple[str, str], ...] = (
    ("", r"\d[\d,.]* ?(?:s|ex/s|rows/s|/s)\b"),  # a duration or a rate
    ("", r"\(pid \d+"),
    ("", r"data /[^,)]+"),
    ("tunegraph crawl", r"requests: \d+"),  # 16 workers race to the last pages
    ("tunegraph train", r"R-precision [\d.]+, NDCG [\d.]+ \(ALS [\d.]+, [\d.]+\)"),
    ("tunegraph evaluate", r"│(?:two-tower|tunegraph|EASE|ALS)│.*"),
    ("tunegraph recommend", r"│\d+│.*"),
)


@dataclass
class Step:
    command: str
    shown: list[str]  # the output lines the README shows under the command


def readme_steps(block_kind: str, after: str = "") -> list[Step]:
    """The ``$`` commands of the tour's ``block_kind`` blocks, each with its shown output."""
    section = README.read_text().split("## A 60-second tour", 1)[1].split("\n## ", 1)[0]
    section = section.split(after, 1)[1] if after else section
    blocks = re.findall(rf"```{block_kind}\n(.*?)```", section, flags=re.S)
    steps: list[Step] = []
    continued = False
    for line in (line for block in blocks for line in block.splitlines()):
        if line.startswith("$ ") or continued:
            text = line[2:] if line.startswith("$ ") else line
            if continued:
                steps[-1].command += " " + text.rstrip("\\").strip()
            else:
                steps.append(Step(text.rstrip("\\").strip(), []))
            continued = line.endswith("\\")
        elif steps:
            steps[-1].shown.append(line)
    return steps


def normalized(line: str, command: str) -> str:
    """A line with table padding and rule widths dropped, and what varies masked."""
    line = re.sub(r"[━─]+", "━", line.strip())
    line = re.sub(r" *([┃│]) *", r"\1", line)
    for prefix, pattern in VARIES:
        if command.startswith(prefix):
            line = re.sub(pattern, MASK, line)
    return line


def drift(step: Step, output: str, port: str) -> list[str]:
    """What the README shows under ``step`` but its output lacks (in order; ``…`` and
    parenthesised notes stand for lines the README leaves out)."""
    output = output.replace(f"127.0.0.1:{port}", f"127.0.0.1:{README_PORT}")
    real = iter([normalized(line, step.command) for line in output.splitlines()])
    for shown in step.shown:
        if shown.strip() in ("", "…") or re.fullmatch(r"\s*\(.*\)\s*", shown):
            continue
        expected = normalized(shown.removesuffix("…"), step.command)  # "… ": the rest left out
        if not any(line.startswith(expected) if shown.endswith("…") else line == expected
                   for line in real):  # fmt: skip
            return [f"under `{step.command}` the README shows\n  {shown}\nbut it printed\n{output}"]
    return []


def test_the_readme_tour_has_the_steps_it_promises() -> None:
    joined = "\n".join(step.command for step in readme_steps("console"))
    for step in ("tunegraph neo4j start", "tunegraph simulator serve", "tunegraph crawl",
                 "tunegraph query", "tunegraph export", "tunegraph train", "tunegraph evaluate",
                 "tunegraph recommend", "tunegraph viz crawl"):  # fmt: skip
        assert step in joined, f"the tour lost its `{step}` step"
    silent = [step.command for step in readme_steps("console") if not step.shown]
    assert all(command.startswith("export ") for command in silent), f"shows no output: {silent}"


def test_the_comparison_masks_what_varies_and_nothing_else() -> None:
    crawl = "tunegraph crawl --seed-playlist x"
    shown = "  playlists: 292 done, 8 inaccessible; 300 visited by this process in 19.7 s (15.20/s)"
    again = "  playlists: 292 done, 8 inaccessible; 300 visited by this process in 3.1 s (96.77/s)"
    drift = "  playlists: 291 done, 9 inaccessible; 300 visited by this process in 19.7 s (15.20/s)"
    assert normalized(shown, crawl) == normalized(again, crawl)
    assert normalized(shown, crawl) != normalized(drift, crawl)
    train = "tunegraph train --data d"
    shown = "trained 7258 examples x 5 epochs in 30.0s (8,709 ex/s); test R-precision 0.2473,"
    again = "trained 7258 examples x 5 epochs in 6.1s (42,812 ex/s); test R-precision 0.2501,"
    assert normalized(shown + " NDCG 0.5 (ALS 0.1, 0.2)", train) == normalized(
        again + " NDCG 0.6 (ALS 0.1, 0.3)", train
    )
    assert normalized(shown, train) != normalized(shown.replace("7258", "7788"), train)
    header = "┃ # ┃ track                  ┃ artists           ┃ score ┃"
    assert normalized(header, "tunegraph recommend") == "┃#┃track┃artists┃score┃"


class Tour:
    """The tour's shell: its environment, its working directory, its background jobs."""

    def __init__(self, settings: Neo4jSettings, cwd: Path) -> None:
        self.port = str(free_port())
        self.cwd = cwd
        self.env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
                    "NEO4J_URI": settings.uri, "NEO4J_PASSWORD": settings.password}  # fmt: skip
        self.env["PYTHONUNBUFFERED"] = "1"  # a background job's lines reach its log at once
        self.background: list[subprocess.Popen[str]] = []

    def run(self, command: str) -> subprocess.CompletedProcess[str]:
        command = command.replace(README_PORT, self.port)
        return subprocess.run(["bash", "-c", command], cwd=self.cwd, env=self.env,
                              capture_output=True, text=True, timeout=300)  # fmt: skip

    def start(self, command: str) -> Path:
        """Start a ``… &`` command, wait for its port; its output goes to the returned file."""
        log = self.cwd / f"background-{len(self.background)}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                ["bash", "-c", command.rstrip("& ").replace(README_PORT, self.port)],
                cwd=self.cwd, env=self.env, stdout=out, stderr=subprocess.STDOUT, text=True,
            )  # fmt: skip
        self.background.append(process)
        wait_for_port(int(self.port))
        return log

    def export(self, command: str) -> None:
        for assignment in shlex.split(command)[1:]:
            name, _, value = assignment.partition("=")
            self.env[name] = value

    def stop(self) -> None:
        for process in self.background:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture
def tour(empty_graph: Neo4jSettings, tmp_path: Path) -> Iterator[Tour]:
    shell = Tour(empty_graph, tmp_path)
    yield shell
    shell.stop()


@pytest.mark.tensorflow  # `tunegraph train` in a subprocess
def test_the_tour_prints_what_the_readme_shows(tour: Tour) -> None:
    background: list[tuple[Step, Path]] = []
    drifts: list[str] = []  # every step runs, so one failure shows all of the README's drift
    for step in readme_steps("console"):
        if step.command.startswith("tunegraph neo4j start"):
            continue  # the session's Neo4j stands in for it
        if step.command.startswith("export "):
            tour.export(step.command)
            continue
        if step.command.endswith("&"):
            background.append((step, tour.start(step.command)))
            continue
        result = tour.run(step.command)
        assert result.returncode == 0, f"`{step.command}` failed:\n{result.stdout}\n{result.stderr}"
        drifts += drift(step, result.stdout + result.stderr, tour.port)
    assert (tour.cwd / "out" / "crawl.png").stat().st_size > 10_000
    for step, log in background:  # read last: a server may print after its port opens
        drifts += drift(step, log.read_text(), tour.port)

    bad_inputs = readme_steps("text", after="A bad input ends in one line")
    assert bad_inputs, "the README lost its bad-input examples"
    for step in bad_inputs:
        result = tour.run(step.command)
        assert result.returncode != 0, f"`{step.command}` succeeded"
        drifts += drift(step, result.stdout + result.stderr, tour.port)
    assert not drifts, "the README's tour drifted from the program:\n\n" + "\n\n".join(drifts)
