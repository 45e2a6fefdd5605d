"""Extract-load throughput of every source beside a plain PostgreSQL COPY of the same records.

    uv run python benchmarks/load_throughput.py --scale 2000 --days 3 [--sources crm sms]

Generates a scenario, serves it, loads each source into a scratch database of the warehouse
(dlt for the four API/file sources, Meltano for the CRM), then COPYs the very rows that landed
into an empty copy of each raw table on the same server. Prints rows/s of both, the load's share
of COPY's rate, and the process's peak RSS after each source (generating the scenario, done in
the same process, included); appends them, with the machine's cores and memory, to
benchmarks/results/load_throughput.md.
"""

from __future__ import annotations

import argparse
import io
import logging
import resource
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql
from record import append_results
from scratch import scratch_databases

from beejan.core.connections import PostgresConnection
from beejan.core.roles import ensure_roles
from extract_load.crm import install_plugins
from extract_load.runner import ALL_SOURCES, load_sources
from simulator.live import live
from simulator.scenario import Scenario, ScenarioConfig

RAW_TABLES = {
    "social": ["raw_social.tweets"],
    "sms": ["raw_sms.messages"],
    "call_center": ["raw_call_center.call_events"],
    "web_forms": ["raw_web_forms.submissions"],
    "crm": [
        f"raw_crm.{t}" for t in ("customers", "plans", "regions", "tickets", "network_incidents")
    ],
}


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def copy_rows_per_second(conn: psycopg.Connection, tables: list[str]) -> tuple[int, float]:
    """COPY the landed rows of `tables` into empty look-alike tables; (rows, seconds)."""
    rows, seconds = 0, 0.0
    for table in tables:
        schema, name = table.split(".")
        source = sql.Identifier(schema, name)
        target = sql.Identifier("bench_copy", name)
        conn.execute(sql.SQL("create table {} (like {})").format(target, source))
        buffer = io.BytesIO()
        with conn.cursor().copy(sql.SQL("copy {} to stdout").format(source)) as copy:
            for block in copy:
                buffer.write(block)
        started = time.perf_counter()
        with conn.cursor().copy(sql.SQL("copy {} from stdin").format(target)) as copy:
            copy.write(buffer.getvalue())
        seconds += time.perf_counter() - started
        rows += conn.execute(sql.SQL("select count(*) from {}").format(target)).fetchone()[0]
    return rows, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=2000, help="complaints per day")
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument(
        "--sources", nargs="+", choices=ALL_SOURCES, default=list(ALL_SOURCES), help="default: all"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    root = Path(tempfile.mkdtemp(prefix="beejan-load-bench-"))
    with scratch_databases() as (target, crm):
        measure(target, crm, root, args.scale, args.days, args.sources)


def measure(
    target: PostgresConnection,
    crm: PostgresConnection,
    root: Path,
    scale: int,
    days: int,
    sources: list[str],
) -> None:
    print(f"generating {days} days at {scale} complaints/day ...", flush=True)
    scenario = Scenario(root, ScenarioConfig(scale=scale), crm)
    scenario.advance(days)
    if "crm" in sources:
        install_plugins()  # a first CRM load installs Meltano's plugins: not in the timed load

    print(
        f"{'source':<12} {'rows':>9} {'load rows/s':>12} {'COPY rows/s':>12} {'of COPY':>8} "
        f"{'peak RSS MiB':>13}"
    )
    table = []
    with live(scenario) as running, psycopg.connect(target.dsn(), autocommit=True) as conn:
        settings = running.settings(_env_file=None, data_dir=root / "state")
        ensure_roles(target, settings)  # the loads log in as the loader, with this state's login
        conn.execute("create schema bench_copy")
        for source in sources:
            started = time.perf_counter()
            (result,) = load_sources([source], settings, target)
            load_seconds = time.perf_counter() - started
            if not result.ok:
                print(f"{source:<12} failed: {result.error}")
                continue
            rows, copy_seconds = copy_rows_per_second(conn, RAW_TABLES[source])
            load_rate, copy_rate = rows / load_seconds, rows / copy_seconds
            row = [source, f"{rows:,}", f"{load_rate:,.0f}", f"{copy_rate:,.0f}"]
            row += [f"{load_rate / copy_rate:.1%}", f"{peak_rss_mib():,.0f}"]
            print(f"{row[0]:<12} {row[1]:>9} {row[2]:>12} {row[3]:>12} {row[4]:>8} {row[5]:>13}")
            table.append(row)
    append_results(
        "load_throughput",
        "Extract-load throughput beside COPY (benchmarks/load_throughput.py)",
        f"{days} days at {scale} complaints/day",
        [
            "source",
            "rows",
            "load rows/s",
            "COPY rows/s",
            "load / COPY",
            "peak RSS MiB (with generating)",
        ],
        table,
    )


if __name__ == "__main__":
    main()
