"""What the incremental fct_complaint_contacts saves: one more day on top of a history, built
incrementally beside a full refresh of the same table.

    uv run python benchmarks/dbt_incremental.py --scale 2000 --days 14

Generates a scenario, loads it into a scratch database and builds the project; then moves one
day on, loads it, and times `dbt run -s fct_complaint_contacts` incrementally and then with
--full-refresh (both on the same data). Prints rows, seconds and their ratio.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

import psycopg
from scratch import scratch_databases

from beejan.core.connections import PostgresConnection
from beejan.core.roles import ensure_roles
from beejan.core.settings import Settings
from beejan.dbt_runner import run_dbt
from extract_load.runner import ALL_SOURCES, load_sources
from simulator.live import live
from simulator.scenario import Scenario, ScenarioConfig

CONTACTS = "ci_marts.fct_complaint_contacts"


def timed_run(target: PostgresConnection, settings: Settings, *flags: str) -> float:
    started = time.perf_counter()
    run_dbt(["--quiet", "run", "--select", "fct_complaint_contacts", *flags], target, settings)
    return time.perf_counter() - started


def load_and_build(scenario: Scenario, target: PostgresConnection, root: Path) -> Settings:
    with live(scenario) as running:
        settings = running.settings(_env_file=None, data_dir=root / "state", environment="ci")
        ensure_roles(target, settings)  # loads and dbt log in with this state's role logins
        results = load_sources(ALL_SOURCES, settings, target)
    failed = [f"{result.source}: {result.error}" for result in results if not result.ok]
    if failed:
        raise SystemExit(f"loading failed: {'; '.join(failed)}")
    run_dbt(["--quiet", "build", "--exclude", "fct_complaint_contacts+"], target, settings)
    return settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=2000, help="complaints per day")
    parser.add_argument("--days", type=int, default=14, help="days of history before the new one")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    root = Path(tempfile.mkdtemp(prefix="beejan-dbt-bench-"))
    with scratch_databases() as (target, crm):
        print(f"generating and loading {args.days} days at {args.scale} complaints/day ...")
        started = time.perf_counter()
        scenario = Scenario(root, ScenarioConfig(scale=args.scale), crm)
        scenario.advance(args.days)
        settings = load_and_build(scenario, target, root)
        print(f"generated, loaded and built the rest in {time.perf_counter() - started:.0f} s")
        first_seconds = timed_run(target, settings)
        print(f"first build of the history: {first_seconds:.1f} s")

        scenario.advance(1)
        load_and_build(scenario, target, root)
        with psycopg.connect(target.dsn()) as conn:
            before = conn.execute(f"select count(*) from {CONTACTS}").fetchone()[0]
        incremental = timed_run(target, settings)
        with psycopg.connect(target.dsn()) as conn:
            after = conn.execute(f"select count(*) from {CONTACTS}").fetchone()[0]
        full = timed_run(target, settings, "--full-refresh")
        print(f"{'build':<14} {'rows in table':>14} {'seconds':>8}")
        print(f"{'incremental':<14} {after:>14,} {incremental:>8.1f}  (+{after - before:,} rows)")
        print(f"{'full refresh':<14} {after:>14,} {full:>8.1f}")
        print(f"full refresh / incremental: {full / incremental:.1f}x")


if __name__ == "__main__":
    main()
