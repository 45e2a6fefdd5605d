"""End to end at scale: `--complaints N` over `--days D`, loaded and built, then one more day.

    uv run python benchmarks/end_to_end.py --complaints 1000000 --days 30
    uv run python benchmarks/end_to_end.py --engines postgres spark:1 spark:2

`--engines` runs the same scenario through each engine side by side, each into its own
warehouse database and data directory: `postgres`, and `spark:N`, the spark engine (a Parquet
lake, dbt-spark) in local mode on N cores (BEEJAN_SPARK_MASTER=local[N]).

Generates the scenario (timed apart: it is the simulator's work, not the pipeline's), serves
it, and runs the pipeline as an operator would, each stage its own process against a scratch
database of the warehouse: `beejan load` (every source, concurrently as configured), then
`beejan build` (`dbt build`: models, tests, snapshots). Then it moves the world one day on and
runs load and build again, which is what a nightly run costs once the history is there.

For each stage it prints seconds, raw rows landed and their rate, and the peak RSS of the
stage's largest process (the stage's process, a load worker, or a child they ran, e.g.
Meltano's tap: from wait4 and from sampling the process tree, in a small launcher), and for a
build its slowest dbt nodes and its node seconds by kind (from run_results.json). The
generator's RSS is this process's own, which also serves the APIs. A stage that fails (a data
test that fails at this scale) is reported in the outcome column, and the run goes on. The
table is appended, with the machine's cores and memory, to benchmarks/results/end_to_end.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pyarrow.parquet as pq
from load_throughput import RAW_TABLES
from psycopg import sql
from record import append_results
from scratch import scratch_databases

from beejan.core.connections import PostgresConnection
from simulator.live import live
from simulator.scenario import Scenario, ScenarioConfig

BEEJAN = str(Path(sys.executable).parent / "beejan")


@dataclass
class Stage:
    name: str
    seconds: float
    rows: int | None  # raw rows landed (load stages)
    peak_rss_mib: float
    outcome: str = "ok"  # or how the stage failed: its times are still what it took
    slowest: str = ""  # a build's slowest dbt nodes, with their seconds
    node_seconds: str = ""  # a build's dbt node seconds by kind (model, test, ...)

    def cells(self) -> list[str]:
        rate = f"{self.rows / self.seconds:,.0f}" if self.rows is not None else ""
        rows = f"{self.rows:,}" if self.rows is not None else ""
        cells = [self.name, f"{self.seconds:,.1f}", rows, rate, f"{self.peak_rss_mib:,.0f}"]
        return [*cells, self.outcome, self.slowest, self.node_seconds]


def raw_rows(target: PostgresConnection) -> int:
    """Rows in every raw table (a table not there yet counts none)."""
    total = 0
    with psycopg.connect(target.dsn()) as conn:
        for table in (table for tables in RAW_TABLES.values() for table in tables):
            if conn.execute("select to_regclass(%s)", (table,)).fetchone()[0] is not None:
                query = sql.SQL("select count(*) from {}").format(sql.Identifier(*table.split(".")))
                total += conn.execute(query).fetchone()[0]
    return total


# Runs a stage and writes its peak RSS (KiB) to argv[1]: the larger of what the kernel kept for
# the processes it waited for (exact) and what sampling the stage's process tree every 50 ms
# saw (the load workers are a fork server's children, whose peaks no wait here reports). A
# process forked from this one would report this process's own peak as its floor (Linux
# records the parent's high-water mark at exec); forked from this small launcher, the stage
# reports its own.
LAUNCHER = """
import os, subprocess, sys, threading, psutil
process = subprocess.Popen(sys.argv[2:])
sampled = [0]
def sample():
    stage = psutil.Process(process.pid)
    while process.returncode is None:
        try:
            tree = [stage, *stage.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        for member in tree:
            try:
                sampled[0] = max(sampled[0], member.memory_info().rss // 1024)
            except psutil.NoSuchProcess:
                pass
        threading.Event().wait(0.05)
threading.Thread(target=sample, daemon=True).start()
_, status, usage = os.wait4(process.pid, 0)
process.returncode = status
open(sys.argv[1], "w").write(str(max(usage.ru_maxrss, sampled[0])))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_stage(name: str, command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(seconds, peak RSS MiB of the largest process, outcome) of `beejan <command>`. A failed
    stage is reported, not fatal: a data test failing at scale is a finding, and the next
    stages still say what they cost."""
    print(f"--- {name}: beejan {' '.join(command)}", flush=True)
    with tempfile.NamedTemporaryFile("r") as peak:
        started = time.perf_counter()
        exit_code = subprocess.run(
            [sys.executable, "-c", LAUNCHER, peak.name, BEEJAN, *command], env=env, check=False
        ).returncode
        seconds = time.perf_counter() - started
        peak_kib = int(peak.read() or 0)
    outcome = "ok" if exit_code == 0 else f"failed (exit {exit_code})"
    print(f"--- {name}: {outcome} in {seconds:,.1f} s", flush=True)
    return seconds, peak_kib / 1024, outcome


def lake_rows(lake: Path) -> int:
    """Rows in the same raw tables in the lake (`<lake>/raw_<source>/<table>/`), from Parquet
    footers."""
    return sum(
        pq.ParquetFile(path).metadata.num_rows
        for tables in RAW_TABLES.values()
        for table in tables
        for path in (lake / table.replace(".", "/")).glob("*.parquet")
    )


def landed_rows(target: PostgresConnection, env: dict[str, str]) -> int:
    """Raw rows in the warehouse, and in the lake on the spark engine."""
    return raw_rows(target) + lake_rows(Path(env["BEEJAN_DATA_DIR"]) / "lake")


def build_nodes(env: dict[str, str], count: int = 5) -> tuple[str, str]:
    """From the build's dbt run_results.json (the engine's own artifacts folder, `dbt/target`
    or `dbt/target-spark`): its `count` slowest nodes, and the seconds its nodes took by kind
    (model, test, snapshot, ...), which say where a build's time goes beyond its slowest
    nodes."""
    artifacts = Path(env["BEEJAN_DATA_DIR"]) / "dbt"
    results = [
        (result["unique_id"], result["execution_time"])
        for path in artifacts.glob("target*/run_results.json")
        for result in json.loads(path.read_text())["results"]
    ]
    by_kind: Counter[str] = Counter()
    for unique_id, seconds in results:
        by_kind[unique_id.split(".")[0]] += seconds
    results.sort(key=lambda result: result[1], reverse=True)
    slowest = ", ".join(f"{uid.split('.')[2]} {seconds:,.1f}" for uid, seconds in results[:count])
    kinds = ", ".join(f"{kind} {seconds:,.1f}" for kind, seconds in by_kind.most_common())
    return slowest, kinds


def load_and_build(label: str, target: PostgresConnection, env: dict[str, str]) -> list[Stage]:
    before = landed_rows(target, env)
    load_seconds, load_rss, loaded = run_stage(f"{label} load", ["load"], env)
    landed = landed_rows(target, env) - before
    build_seconds, build_rss, built = run_stage(f"{label} build", ["build"], env)
    slowest, by_kind = build_nodes(env)
    return [
        Stage(f"{label}: load", load_seconds, landed, load_rss, loaded),
        Stage(f"{label}: build", build_seconds, None, build_rss, built, slowest, by_kind),
        Stage(
            f"{label}: load + build",
            load_seconds + build_seconds,
            landed,
            max(load_rss, build_rss),
            "ok" if loaded == built == "ok" else "see above",
        ),
    ]


def generate(label: str, action: Callable[[], None]) -> Stage:
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Stage(f"{label}: generate (simulator)", seconds, None, peak)


def stage_label(days: str, engine: str, engines: Sequence[str]) -> str:
    """`30 days`, or `30 days [spark:2]` when several engines run side by side."""
    return days if len(engines) == 1 else f"{days} [{engine}]"


def engine_env(engine: str, target: PostgresConnection, state: Path) -> dict[str, str]:
    """The variables that point a run at `engine` (`postgres` or `spark:<cores>`)."""
    env = {"BEEJAN_WAREHOUSE_DSN": target.dsn(), "BEEJAN_DATA_DIR": str(state)}
    if engine == "postgres":
        return env | {"BEEJAN_ENGINE": "postgres"}
    cores = engine.removeprefix("spark:")
    return env | {"BEEJAN_ENGINE": "spark", "BEEJAN_SPARK_MASTER": f"local[{cores}]"}


def run_stages(
    root: Path,
    targets: dict[str, PostgresConnection],
    crm: PostgresConnection,
    days: int,
    per_day: int,
) -> list[Stage]:
    """Generate once; each engine (`targets`: engine -> its warehouse database) loads and
    builds the days, then the world moves a day on and each loads and builds again."""
    scenario = Scenario(root / "scenario", ScenarioConfig(scale=per_day), crm)
    print(f"generating {days} days at {per_day:,} complaints/day ...", flush=True)
    stages = [generate(f"{days} days", lambda: scenario.advance(days))]
    with live(scenario) as running:
        envs = {
            engine: os.environ
            | running.env
            | {"BEEJAN_ENVIRONMENT": "ci", "SPARK_LOCAL_IP": "127.0.0.1"}
            | engine_env(engine, target, root / f"state-{engine.replace(':', '-')}")
            for engine, target in targets.items()
        }
        # a first CRM load installs Meltano's plugins: done here, not in the timed load
        subprocess.run([BEEJAN, "setup"], env=next(iter(envs.values())), check=True)
        for engine, target in targets.items():
            label = stage_label(f"{days} days", engine, list(targets))
            stages += load_and_build(label, target, envs[engine])
        stages.append(generate("one more day", lambda: running.advance(1)))
        for engine, target in targets.items():
            label = stage_label("one more day", engine, list(targets))
            stages += load_and_build(label, target, envs[engine])
    return stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=1_000_000, help="in all, over --days")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument(
        "--engines",
        nargs="+",
        default=["postgres"],
        help="postgres and/or spark:<local cores>, side by side on one scenario",
    )
    args = parser.parse_args()
    per_day = max(1, args.complaints // args.days)

    root = Path(tempfile.mkdtemp(prefix="beejan-e2e-bench-"))
    try:
        with scratch_databases(more=len(args.engines) - 1) as (first, crm, *others):
            targets = dict(zip(args.engines, [first, *others], strict=True))
            stages = run_stages(root, targets, crm, args.days, per_day)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    header = f"{'stage':<46} {'seconds':>9} {'raw rows':>11} {'rows/s':>9} {'peak RSS MiB':>13}"
    print(f"\n{header}  outcome")
    for stage in stages:
        cells = stage.cells()
        print(
            f"{cells[0]:<46} {cells[1]:>9} {cells[2]:>11} {cells[3]:>9} {cells[4]:>13}  {cells[5]}"
        )
        if stage.slowest:
            print(f"{'':<46} slowest: {stage.slowest}")
            print(f"{'':<46} node seconds: {stage.node_seconds}")
    shares = []
    for engine in args.engines:
        full_label = stage_label(f"{args.days} days", engine, args.engines)
        more_label = stage_label("one more day", engine, args.engines)
        full = next(s for s in stages if s.name == f"{full_label}: load + build")
        more = next(s for s in stages if s.name == f"{more_label}: load + build")
        shares.append(f"{engine} {more.seconds / full.seconds:.1%}")
    print(f"one more day costs, of the full run's load + build: {', '.join(shares)}")
    append_results(
        "end_to_end",
        "End to end: generate, load, build, then one more day (benchmarks/end_to_end.py)",
        f"{args.complaints:,} complaints over {args.days} days ({per_day:,}/day), engines "
        f"{', '.join(args.engines)}; one more day costs, of the full load + build: "
        f"{', '.join(shares)}",
        [
            "stage",
            "seconds",
            "raw rows",
            "raw rows/s",
            "peak RSS MiB (largest process)",
            "outcome",
            "slowest dbt nodes (s)",
            "dbt node seconds by kind",
        ],
        [stage.cells() for stage in stages],
    )


if __name__ == "__main__":
    main()
