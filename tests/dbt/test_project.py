"""Promises the dbt project makes as a whole: every test runs, every node has a tested key,
every column is described, the docs site generates without a warning, and source freshness
passes on fresh loads and fails on a stale one."""

from __future__ import annotations

import json
import os
from collections import defaultdict

import psycopg
import pytest

from beejan.core.connections import PostgresConnection
from beejan.core.settings import Settings
from beejan.dbt_runner import DBT_PROJECT_DIR, DbtError, dbt_artifacts, dbt_environment, run_dbt
from simulator.live import LiveScenario
from tests.dbt.steps import CONTACTS, build
from tests.test_lint import run_tool

KEYED = ("model", "snapshot", "seed")


def artifact(name: str) -> dict:
    return json.loads((dbt_artifacts(Settings(_env_file=None)) / name).read_text())


def key_columns(tests: set[tuple[str, str | None]], node: dict) -> set[str]:
    """Columns with both a unique and a not_null test; or, for a model whose unique_key a unique
    index holds (unique_key_enforced), the key's first column with a not_null test (the other
    parts of a composite key are never null: a text kind, a position, a term matched)."""
    unique = {column for name, column in tests if name == "unique"}
    if ("unique_key_enforced", None) in tests:
        key = node["config"]["unique_key"]
        unique.add(key if isinstance(key, str) else key[0])
    return unique & {column for name, column in tests if name == "not_null"}


def dbt(warehouse: PostgresConnection, *args: str) -> None:
    run_dbt(args, warehouse, Settings(_env_file=None))


@pytest.mark.slow
def test_build_runs_every_test_and_docs_describe_every_column(
    loaded: LiveScenario, project_env
) -> None:
    build(project_env)
    results = [
        result
        for result in artifact("run_results.json")["results"]
        if not result["unique_id"].startswith("exposure.")  # exposures are always no-ops
    ]
    statuses = {result["status"] for result in results}
    assert statuses <= {"success", "pass"}, statuses
    tests_run = [r for r in results if r["unique_id"].startswith(("test.", "unit_test."))]
    assert len(tests_run) > 100

    dbt(project_env, "--warn-error", "docs", "generate")
    manifest, catalog = artifact("manifest.json"), artifact("catalog.json")

    tested = defaultdict(set)
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("test_metadata"):
            metadata = node["test_metadata"]
            # a composite key is tested at model level on an expression of its columns
            column = node["column_name"] or metadata["kwargs"].get("column_name")
            tested[node["attached_node"]].add((metadata["name"], column))
    keyed = [uid for uid, node in manifest["nodes"].items() if node["resource_type"] in KEYED]
    without_key = [uid for uid in keyed if not key_columns(tested[uid], manifest["nodes"][uid])]
    assert len(keyed) > 20
    assert without_key == []

    documented = {**manifest["nodes"], **manifest["sources"]}
    undescribed = [
        f"{uid}.{column}"
        for uid, entry in [*catalog["nodes"].items(), *catalog["sources"].items()]
        for column in entry["columns"]
        if not documented[uid]["columns"].get(column, {}).get("description")
    ]
    assert len(catalog["nodes"]) >= len(keyed)
    assert undescribed == []
    nodes_without_description = [
        uid
        for uid, node in documented.items()
        if node["resource_type"] in (*KEYED, "source") and not node["description"]
    ]
    assert nodes_without_description == []
    assert manifest["exposures"]
    assert "doc.beejan_warehouse.__overview__" in manifest["docs"]  # the docs site's landing page


@pytest.mark.slow
def test_source_freshness_passes_on_fresh_loads_and_fails_on_a_stale_source(
    loaded: LiveScenario, project_env
) -> None:
    dbt(project_env, "source", "freshness")
    freshness = {r["unique_id"]: r["status"] for r in artifact("sources.json")["results"]}
    assert len(freshness) >= 8
    assert set(freshness.values()) == {"pass"}

    with psycopg.connect(project_env.dsn()) as conn:
        conn.execute("update raw_sms.messages set _extracted_at = now() - interval '2 days'")
    with pytest.raises(DbtError):
        dbt(project_env, "source", "freshness")
    freshness = {r["unique_id"]: r["status"] for r in artifact("sources.json")["results"]}
    assert freshness.pop("source.beejan_warehouse.sms.messages") == "error"
    assert set(freshness.values()) == {"pass"}


@pytest.mark.slow
def test_models_of_tables_that_appear_later_build_empty_before_them(
    loaded: LiveScenario, project_env
) -> None:
    """The raw quarantine table appears with the first bad record, the run audit with the first
    flow run; until then the project still builds and their marts are empty."""
    with psycopg.connect(project_env.dsn()) as conn:
        conn.execute("drop schema raw_quarantine cascade")
        assert not conn.execute("select 1 from pg_namespace where nspname = 'audit'").fetchone()
    build(project_env)
    with psycopg.connect(project_env.dsn()) as conn:
        for mart in ("agg_quarantined_records__daily", "fct_pipeline_runs"):
            assert conn.execute(f"select count(*) from ci_marts.{mart}").fetchone()[0] == 0


@pytest.mark.slow
def test_models_pass_sqlfluff_on_a_built_warehouse(loaded: LiveScenario, project_env) -> None:
    """Against a built warehouse `is_incremental()` is true, so the incremental branches are
    compiled and linted too (on an empty one they vanish from what sqlfluff sees)."""
    build(project_env)
    with psycopg.connect(project_env.dsn()) as conn:
        kind = conn.execute("select relkind from pg_class where oid = %s::regclass", [CONTACTS])
        assert kind.fetchone() == ("r",)
    env = {**os.environ, **dbt_environment(project_env, Settings(_env_file=None))}
    result = run_tool("sqlfluff", "lint", str(DBT_PROJECT_DIR), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
