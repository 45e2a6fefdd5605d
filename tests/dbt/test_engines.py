"""The spark engine tells the story PostgreSQL tells: one simulated scenario, landed in the
warehouse and in a Parquet lake, built by dbt on PostgreSQL and on Spark in local mode. The
measures of engine_measures.sql (every mart's rows, contacts per day and channel, categories,
complaints, churn bands) are equal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from beejan.core.connections import PostgresConnection
from beejan.core.settings import Settings, get_settings
from extract_load.lake import read_lake_table
from simulator.fixtures import ScenarioFactory
from tests.dbt.steps import LOADER, TRANSFORMER, load_all

pytestmark = pytest.mark.slow

BEEJAN = str(Path(sys.executable).parent / "beejan")
MEASURES = Path(__file__).parent / "engine_measures.sql"


def beejan(*args: str) -> str:
    """Run the CLI as an operator would (a Spark session's JVM lives and dies with it)."""
    done = subprocess.run(
        [BEEJAN, *args], env=os.environ | {"SPARK_LOCAL_IP": "127.0.0.1"}, capture_output=True
    )
    output = done.stdout.decode() + done.stderr.decode()
    assert done.returncode == 0, output[-4000:]
    return done.stdout.decode()


def measures() -> dict[str, int]:
    shown = beejan(
        *("dbt", "--", "show", "--quiet", "--output", "json", "--limit", "-1"),
        *("--inline", MEASURES.read_text()),
    )
    rows = json.loads(shown[shown.index('{\n  "show"') :])["show"]
    return {row["measure"]: int(row["value"]) for row in rows}


def load_into(engine: str, monkeypatch: pytest.MonkeyPatch, warehouse: PostgresConnection) -> None:
    monkeypatch.setenv("BEEJAN_ENGINE", engine)
    get_settings.cache_clear()
    load_all(warehouse)


def test_spark_builds_the_marts_that_postgres_builds(
    make_scenario: ScenarioFactory,
    project_env: PostgresConnection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    live = make_scenario(days=2, scale=60, seed=11)
    roles = {"BEEJAN_LOADER_PASSWORD": LOADER, "BEEJAN_TRANSFORMER_PASSWORD": TRANSFORMER}
    for name, value in {**live.env, **roles, "BEEJAN_ENVIRONMENT": "ci"}.items():
        monkeypatch.setenv(name, value)
    # two loads into each, as production runs: the lake appends what a load reads again
    for engine in ("postgres", "spark"):
        load_into(engine, monkeypatch, project_env)
    live.advance(1)
    for engine in ("postgres", "spark"):
        load_into(engine, monkeypatch, project_env)
    messages = read_lake_table(Settings(_env_file=None), "raw_sms", "messages")
    assert messages is not None
    assert messages.num_rows > len(set(messages["sid"].to_pylist()))  # SMS's overlap

    beejan("build")  # tests included: a source test that only holds where dlt merges showed
    on_spark = measures()
    monkeypatch.setenv("BEEJAN_ENGINE", "postgres")
    beejan("build")
    on_postgres = measures()

    marts = [name for name in on_postgres if name.startswith("rows:")]
    assert len(marts) >= 15
    assert on_postgres["rows:fct_complaint_contacts"] > 100
    assert on_postgres["rows:fct_complaints"] > 50
    different = {
        name: (value, on_spark.get(name))
        for name, value in on_postgres.items()
        if on_spark.get(name) != value
    }
    assert different == {}
    assert on_spark.keys() == on_postgres.keys()
