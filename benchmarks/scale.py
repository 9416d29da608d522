"""The whole path at MPD sizes: generate → import --bulk → export → train → evaluate → recommend.

For each size (playlists) it runs the user's commands as subprocesses, as a user would,
on MPD-shaped slice files from ``tunegraph simulator generate-mpd``, each size with its
own Neo4j (``tunegraph neo4j start``, a data folder under the work folder):

    import     tunegraph import mpd --bulk SLICES        (into an empty database)
    export     tunegraph export --out EXPORT
    train      tunegraph train --data EXPORT --out MODEL --epochs E
    evaluate   tunegraph evaluate --model MODEL --json EVAL
    recommend  tunegraph recommend --model MODEL --playlists IDS (10,000) --k 500 --out CSV

For each stage it prints wall time, rows/s (examples/s for training), and the peak RSS
of the command's Python processes and of Neo4j (the server, plus the offline importer
during a bulk import), sampled every 0.2 s. Between sizes it prints the growth exponent
b of time and memory (time ∝ size^b, from the two neighbouring sizes).

Generated files, databases, exports and models stay under --work and are reused: a
stage runs when its output is missing or when --stages names it (which re-runs it), so
one stage can run alone. Results accumulate in WORK/n<size>/results.json.

    .venv/bin/python benchmarks/scale.py --sizes 10000 100000 300000
    .venv/bin/python benchmarks/scale.py --sizes 300000 --stages train --epochs 2
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil
import pyarrow.parquet as pq

from tunegraph.testing.memory import GIB, RssSampler
from tunegraph.testing.ports import free_port

STAGES = ("generate", "import", "export", "train", "evaluate", "recommend")
NEO4J_STAGES = {"import", "export"}
PASSWORD = "tunegraph-scale"


@dataclass
class StageResult:
    seconds: float
    rows: int
    rate: float  # rows per second (training: examples per second of an epoch)
    unit: str  # what a row is: playlists, rows, examples
    python_rss: int
    neo4j_rss: int
    extra: dict


class SizeRun:
    """One size's folder: slices, Neo4j data and state, export, model, results."""

    def __init__(self, work: Path, size: int, args: argparse.Namespace) -> None:
        self.size, self.args = size, args
        self.dir = work / f"n{size}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.slices, self.export, self.model = (
            self.dir / "slices", self.dir / "export", self.dir / "model",
        )  # fmt: skip
        self.state, self.data = self.dir / "state", self.dir / "neo4j"
        self.results_file = self.dir / "results.json"
        self.results: dict[str, dict] = (
            json.loads(self.results_file.read_text()) if self.results_file.exists() else {}
        )
        port_file = self.dir / "port"
        if not port_file.exists():
            port_file.write_text(str(free_port()))
        self.port = int(port_file.read_text())
        self.env = {
            **os.environ,
            "TUNEGRAPH_STATE_DIR": str(self.state),
            "NEO4J_URI": f"bolt://127.0.0.1:{self.port}",
            "NEO4J_PASSWORD": PASSWORD,
            "TF_CPP_MIN_LOG_LEVEL": "2",
        }

    # -- Neo4j -------------------------------------------------------------------------

    def server_pid(self) -> int | None:
        try:
            record = json.loads((self.state / "instances" / f"{self.port}.json").read_text())
            return int(record["pid"])
        except (OSError, ValueError, KeyError):
            return None

    def tunegraph(self, *argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "tunegraph", *argv],
            env=self.env, capture_output=True, text=True, check=False,
        )  # fmt: skip

    def start_neo4j(self) -> None:
        done = self.tunegraph(
            "neo4j", "start", "--backend", "local", "--port", str(self.port),
            "--data-dir", str(self.data), "--password", PASSWORD,
            "--heap-mb", str(self.args.heap_mb), "--pagecache-mb", str(self.args.pagecache_mb),
            "--timeout", "600",
        )  # fmt: skip
        if done.returncode:
            sys.exit(f"neo4j start failed:\n{done.stdout}{done.stderr}")

    def stop_neo4j(self) -> None:
        self.tunegraph("neo4j", "stop", "--port", str(self.port))

    def fresh_neo4j(self) -> None:
        self.stop_neo4j()
        shutil.rmtree(self.data, ignore_errors=True)
        shutil.rmtree(self.state, ignore_errors=True)
        self.start_neo4j()

    # -- stages ------------------------------------------------------------------------

    def measure(self, argv: list[str]) -> tuple[float, RssSampler, str]:
        """Run one tunegraph command; its wall time, memory peaks and output."""
        log = self.dir / f"{argv[0]}.log"
        start = time.perf_counter()
        with log.open("w") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "tunegraph", *argv],
                env=self.env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
            with RssSampler(psutil.Process(proc.pid), self.server_pid, every_s=0.2) as sampler:
                code = proc.wait()
            sampler.sample()
        seconds = time.perf_counter() - start
        text = log.read_text(errors="replace")
        if code:
            sys.exit(f"`tunegraph {' '.join(argv)}` failed ({code}); see {log}:\n{text[-3000:]}")
        return seconds, sampler, text

    def run_stage(self, stage: str) -> StageResult:
        seconds, sampler, rows, unit, extra = getattr(self, f"_{stage}")()
        rate = extra.pop("rate", rows / max(seconds, 1e-9))
        extra["rss_timeline"] = sampler.timeline
        return StageResult(
            seconds, rows, rate, unit, sampler.python_peak, sampler.neo4j_peak, extra
        )

    def _generate(self) -> tuple:
        shutil.rmtree(self.slices, ignore_errors=True)
        seconds, sampler, _ = self.measure(
            ["simulator", "generate-mpd", "--playlists", str(self.size), "--seed", "2018",
             "--out", str(self.slices)]
        )  # fmt: skip
        return seconds, sampler, self.size, "playlists", {}

    def _import(self) -> tuple:
        self.fresh_neo4j()
        seconds, sampler, text = self.measure(
            ["import", "mpd", "--bulk", "--no-progress", str(self.slices)]
        )
        rows = int(re.search(r"([\d,]+) playlist-track rows", text).group(1).replace(",", ""))
        return seconds, sampler, rows, "rows", {}

    def _export(self) -> tuple:
        shutil.rmtree(self.export, ignore_errors=True)
        argv = ["export", "--out", str(self.export), "--no-progress"]
        seconds, sampler, _ = self.measure(argv)
        counts = json.loads((self.export / "manifest.json").read_text())["counts"]
        return seconds, sampler, counts["interactions"], "rows", {"tracks": counts["tracks"]}

    def _train(self) -> tuple:
        shutil.rmtree(self.model, ignore_errors=True)
        seconds, sampler, _ = self.measure(
            ["train", "--data", str(self.export), "--out", str(self.model),
             "--epochs", str(self.args.epochs), *self.args.train_arg]
        )  # fmt: skip
        report = json.loads((self.model / "metrics.json").read_text())
        epochs = report["epoch_seconds"]
        best = report["best_epoch"]
        extra = {
            "rate": report["examples"] * len(epochs) / sum(epochs),
            "epoch_seconds": epochs,
            "best_epoch": best,
            "to_best_epoch_s": sum(epochs[:best]) + sum(report["validation_seconds"][:best]),
            "val_recall@50": report["val_metric"],
            "stages_s": report.get("stage_seconds", {}),
            "test": {k: v for k, v in report["metrics"].items() if k in ("tunegraph", "ALS")},
        }
        return seconds, sampler, report["examples"], "examples", extra

    def _evaluate(self) -> tuple:
        out = self.dir / "eval.json"
        seconds, sampler, _ = self.measure(
            ["evaluate", "--model", str(self.model), "--json", str(out)]
        )
        report = json.loads(out.read_text())
        rows = report["rows"]
        extra = {k: rows[k] for k in ("tunegraph", "ALS", "EASE") if k in rows}
        return seconds, sampler, report["playlists"], "playlists", extra

    def _recommend(self) -> tuple:
        ids = pq.read_table(self.export / "playlists.parquet", columns=["playlist_id"])
        chosen = ids.column(0).to_pylist()[: self.args.recommend]
        request = self.dir / "recommend_ids.txt"
        request.write_text("\n".join(chosen) + "\n")
        seconds, sampler, _ = self.measure(
            ["recommend", "--model", str(self.model), "--playlists", str(request),
             "--k", "500", "--out", str(self.dir / "recs.csv")]
        )  # fmt: skip
        return seconds, sampler, len(chosen), "playlists", {}

    def done(self, stage: str) -> bool:
        outputs = {
            "generate": self.slices, "import": self.data, "export": self.export / "manifest.json",
            "train": self.model / "metrics.json", "evaluate": self.dir / "eval.json",
            "recommend": self.dir / "recs.csv",
        }  # fmt: skip
        return stage in self.results and outputs[stage].exists()

    def save(self, stage: str, result: StageResult) -> None:
        self.results[stage] = asdict(result)
        self.results_file.write_text(json.dumps(self.results, indent=2))


def fmt_row(size: int, stage: str, r: dict) -> str:
    return (
        f"{size:>9,} {stage:<10} {r['seconds']:>9.1f} {r['rate']:>12,.0f} {r['unit'] + '/s':<12}"
        f" {r['python_rss'] / GIB:>8.2f} {r['neo4j_rss'] / GIB:>8.2f}"
    )


def exponent(a: float, b: float, na: int, nb: int) -> float:
    return math.log(max(b, 1e-9) / max(a, 1e-9)) / math.log(nb / na)


def markdown(runs: list[SizeRun]) -> None:
    """The table as docs/benchmarks.md shows it."""
    print("| playlists | stage | wall | rate | Python peak RSS | Neo4j peak RSS |")
    print("|---|---|---|---|---|---|")
    for run in runs:
        for stage in STAGES[1:]:
            r = run.results.get(stage)
            if r:
                neo4j = f"{r['neo4j_rss'] / GIB:.2f} GiB" if stage in NEO4J_STAGES else "–"
                print(f"| {run.size:,} | {stage} | {r['seconds']:,.0f} s |"
                      f" {r['rate']:,.0f} {r['unit']}/s | {r['python_rss'] / GIB:.2f} GiB |"
                      f" {neo4j} |")  # fmt: skip


def report(runs: list[SizeRun]) -> None:
    print(f"\n{'playlists':>9} {'stage':<10} {'wall s':>9} {'rate':>12} {'':<12}"
          f" {'py GiB':>8} {'neo4j GiB':>8}")  # fmt: skip
    for run in runs:
        for stage in STAGES:
            if stage in run.results:
                print(fmt_row(run.size, stage, run.results[stage]))
    for run in runs:
        for stage in ("train", "evaluate"):
            details = run.results.get(stage, {}).get("extra", {})
            shown = {k: v for k, v in details.items() if k != "rss_timeline"}
            if shown:
                print(f"{run.size:>9,} {stage} details: {json.dumps(shown)}")
    pairs = list(itertools.pairwise(runs))
    if pairs:
        print("\ngrowth exponents b (time/memory ∝ size^b) between neighbouring sizes")
        for a, b in pairs:
            for stage in STAGES:
                ra, rb = a.results.get(stage), b.results.get(stage)
                if ra and rb:
                    bt = exponent(ra["seconds"], rb["seconds"], a.size, b.size)
                    bp = exponent(ra["python_rss"], rb["python_rss"], a.size, b.size)
                    bn = exponent(ra["neo4j_rss"], rb["neo4j_rss"], a.size, b.size)
                    print(f"  {a.size:,}→{b.size:,} {stage:<10} time {bt:5.2f}"
                          f"  python RSS {bp:5.2f}  neo4j RSS {bn:5.2f}")  # fmt: skip


@contextlib.contextmanager
def neo4j_while(run: SizeRun, stage: str, todo: list[str]) -> Iterator[None]:
    """Neo4j runs for import and export only (import starts its own, empty), and is
    stopped after the last of them: training does not share the machine with it."""
    if stage == "export" and "import" not in todo:
        run.start_neo4j()
    try:
        yield
    finally:
        later = todo[todo.index(stage) + 1 :]
        if stage in NEO4J_STAGES and not NEO4J_STAGES & set(later):
            run.stop_neo4j()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache" / "tunegraph-scale")
    parser.add_argument("--stages", help=f"re-run these even if done: {','.join(STAGES)}")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--recommend", type=int, default=10_000, help="playlists to recommend for")
    parser.add_argument("--heap-mb", type=int, default=3072)
    parser.add_argument("--pagecache-mb", type=int, default=4096)
    parser.add_argument("--train-arg", action="append", default=[], help="extra train option")
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--markdown", action="store_true", help="also print the docs table")
    args = parser.parse_args()
    forced = args.stages.split(",") if args.stages else []
    if unknown := set(forced) - set(STAGES):
        parser.error(f"unknown stage(s): {', '.join(sorted(unknown))}")
    runs = [SizeRun(args.work, size, args) for size in sorted(args.sizes)]
    for run in [] if args.report_only else runs:
        todo = [s for s in STAGES if s in forced or (not forced and not run.done(s))]
        for stage in todo:
            print(f"[{time.strftime('%H:%M:%S')}] {run.size:,} playlists: {stage}", flush=True)
            with neo4j_while(run, stage, todo):
                result = run.run_stage(stage)
            run.save(stage, result)
            print("   ", fmt_row(run.size, stage, asdict(result)), flush=True)
    report(runs)
    if args.markdown:
        markdown(runs)


if __name__ == "__main__":
    main()
