"""Lint is part of the test suite, so a lint failure fails CI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from beejan.core.connections import PostgresConnection
from beejan.core.settings import PROJECT_DIR, Settings
from beejan.dbt_runner import DBT_PROJECT_DIR, dbt_artifacts, dbt_environment, run_dbt

TOOLS = Path(sys.executable).parent


def run_tool(
    *command: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TOOLS / command[0]), *command[1:]],
        cwd=PROJECT_DIR,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_python_passes_ruff_lint() -> None:
    result = run_tool("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_python_is_ruff_formatted() -> None:
    result = run_tool("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


# macros that write no SQL of their own: a schema name and relation lookups
MACROS_WITHOUT_SQL = {"existing_source", "generate_schema_name", "optional_column"}
MACRO_CALLS = Path(__file__).parent / "dbt" / "macro_calls.sql"


def test_sql_the_macros_write_passes_sqlfluff(warehouse: PostgresConnection) -> None:
    """sqlfluff's dbt templater skips macro files, so each macro is called once (macro_calls.sql),
    compiled by dbt and the result linted. Layout follows the call site and dbt quotes the
    relations it renders, so those two rule groups are left to the model lint."""
    defined = {path.stem for path in (DBT_PROJECT_DIR / "macros").glob("*.sql")}
    calls = MACRO_CALLS.read_text()
    assert {name for name in defined if f"{name}(" not in calls} == MACROS_WITHOUT_SQL

    env = {**os.environ, **dbt_environment(warehouse, Settings(environment="ci"))}
    project = ("--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR))
    compiled = run_tool("dbt", "compile", "--quiet", "--inline", calls, *project, env=env)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    assert "{{" not in compiled.stdout and "grant usage" in compiled.stdout

    lint = ("lint", "-", "--templater", "raw", "--exclude-rules", "layout,RF06")
    result = run_tool("sqlfluff", *lint, stdin=compiled.stdout)
    assert result.returncode == 0, compiled.stdout + result.stdout + result.stderr


def test_dbt_project_follows_its_conventions(warehouse: PostgresConnection) -> None:
    """dbt-bouncer checks the rules of dbt-project-evaluator (dbt_project/dbt-bouncer.yml) on
    the parsed manifest; every model, seed and snapshot also belongs to an owning group."""
    settings = Settings(environment="ci")
    run_dbt(["parse"], warehouse, settings)
    bouncer = subprocess.run(
        [str(TOOLS / "dbt-bouncer"), "--config-file", "dbt-bouncer.yml"],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bouncer.returncode == 0, bouncer.stdout + bouncer.stderr
    assert "All checks passed" in bouncer.stdout

    manifest = json.loads((dbt_artifacts(settings) / "manifest.json").read_text())
    owned = {"model", "seed", "snapshot"}
    nodes = [node for node in manifest["nodes"].values() if node["resource_type"] in owned]
    assert len(nodes) > 40
    assert [node["unique_id"] for node in nodes if not node["config"].get("group")] == []
    groups = {group["name"]: group for group in manifest["groups"].values()}
    assert {node["config"]["group"] for node in nodes} <= groups.keys()
    assert [name for name, group in groups.items() if not group["owner"].get("email")] == []
