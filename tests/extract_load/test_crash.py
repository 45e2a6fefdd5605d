"""The crash suite: `beejan load` killed with SIGKILL (the whole process group, Meltano's
plugins included) at seeded points of every source's load, then run again; after every round
raw and quarantine reconcile with the truth: nothing lost, nothing twice, every cut-off line
quarantined exactly once.

The dlt sources say which step they are in (extracting, normalizing, loading: the quarantined
records are written in the loading step, with the rows); each kill waits for one of those lines
and a seeded delay after it. The CRM is killed after a seeded number of Meltano's own lines.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from beejan.core.connections import PostgresConnection
from extract_load.crm import TABLES as CRM_TABLES
from simulator.live import LiveScenario
from simulator.truth import iter_truth
from tests.extract_load.test_crm import KEYS as CRM_KEYS
from tests.extract_load.test_dlt_sources import assert_reconciles
from tests.test_cli import BEEJAN, clean_env

pytestmark = pytest.mark.slow

SEED = 20261126
ROUNDS = 4  # a new simulated day each round; one kill per source per round: 20 kills
DLT_STEPS = ("extracting", "normalizing", "loading")


@dataclass(frozen=True)
class KillPoint:
    source: str
    after: str  # the log line to wait for ("" = right after start)
    delay_s: float
    full_refresh: bool

    def __str__(self) -> str:
        refresh = " --full-refresh" if self.full_refresh else ""
        return f"{self.source}{refresh}: {self.delay_s:.2f}s after {self.after or 'start'!r}"


def kill_points(rng: random.Random, round_number: int) -> list[KillPoint]:
    points = []
    for source in ("social", "sms", "call_center", "web_forms"):
        step = DLT_STEPS[(round_number + len(points)) % len(DLT_STEPS)]
        after = f"{source}: {step}" if rng.random() < 0.85 else ""
        points.append(KillPoint(source, after, rng.uniform(0, 0.4), round_number == 3))
    points.append(KillPoint("crm", "meltano:", rng.uniform(0.5, 6.0), False))
    return points


def run_and_kill(point: KillPoint, env: dict[str, str]) -> str:
    """Start the load, kill its process group at the point; what it logged until then."""
    args = [BEEJAN, "-v", "load", point.source] + (["--full-refresh"] if point.full_refresh else [])
    process = subprocess.Popen(
        args,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    seen = threading.Event()
    logged: list[str] = []

    def watch() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            logged.append(line)
            if point.after in line:
                seen.set()

    threading.Thread(target=watch, daemon=True).start()
    seen.wait(timeout=120)
    time.sleep(point.delay_s)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    return "".join(logged)


def load_again(source: str, env: dict[str, str]) -> None:
    result = subprocess.run(
        [BEEJAN, "load", source], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def assert_cut_off_lines_quarantined_once(live: LiveScenario, warehouse: PostgresConnection):
    cut = {
        record.origin
        for record in iter_truth(live.scenario.root / "truth")
        if record.quarantine == "cut_off_line"
    }
    with psycopg.connect(warehouse.dsn()) as conn:
        origins = [
            origin.rsplit("/", 1)[-1]
            for (origin,) in conn.execute(
                "select origin from raw_quarantine.quarantined_records where source = %s",
                ("call_center",),
            )
        ]
    assert Counter(origins) == Counter(cut)


def assert_crm_reconciles(live: LiveScenario, warehouse: PostgresConnection) -> None:
    for table in CRM_TABLES:
        query = sql.SQL("select {}::text, updated_at from {}")
        key = sql.Identifier(CRM_KEYS[table])
        with psycopg.connect(live.scenario.crm.dsn()) as conn:
            source = conn.execute(query.format(key, sql.Identifier("public", table))).fetchall()
        with psycopg.connect(warehouse.dsn()) as conn:
            conn.execute("set time zone 'UTC'")
            landed = conn.execute(query.format(key, sql.Identifier("raw_crm", table))).fetchall()
        assert len(landed) == len({k for k, _ in landed}), f"raw_crm.{table} holds a row twice"
        assert {k: t.replace(tzinfo=None) for k, t in source} == {
            k: t.replace(tzinfo=None) for k, t in landed
        }, table


def test_loads_killed_at_seeded_points_lose_nothing_and_duplicate_nothing(
    make_scenario, project_env: PostgresConnection, tmp_path: Path
) -> None:
    live = make_scenario(days=1, scale=150)
    env = clean_env(tmp_path, **live.env, BEEJAN_WAREHOUSE_DSN=project_env.dsn())
    rng = random.Random(SEED)
    killed: list[tuple[str, str]] = []  # (point, the last step it had logged)
    for round_number in range(ROUNDS):
        if round_number:
            live.advance(1)
        for point in kill_points(rng, round_number):
            logged = run_and_kill(point, env)
            steps = [step for step in DLT_STEPS if f"{point.source}: {step}" in logged]
            killed.append((str(point), steps[-1] if steps else "starting"))
            load_again(point.source, env)
        assert_reconciles(live, project_env)
        assert_cut_off_lines_quarantined_once(live, project_env)
        assert_crm_reconciles(live, project_env)
    assert len(killed) >= 20
    # the kills fell in every step of a dlt load (the quarantine is written in the last)
    assert {step for _, step in killed} >= set(DLT_STEPS), killed
