"""Lint is part of the test suite, so a lint failure fails CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from beejan.core.connections import PostgresConnection
from beejan.core.settings import PROJECT_DIR, Settings
from beejan.dbt_runner import DBT_PROJECT_DIR, dbt_environment

TOOLS = Path(sys.executable).parent


def run_tool(*command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TOOLS / command[0]), *command[1:]],
        cwd=PROJECT_DIR,
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


def test_dbt_sql_passes_sqlfluff(warehouse: PostgresConnection) -> None:
    """The dbt templater compiles every model, so sqlfluff needs the warehouse up."""
    env = {**os.environ, **dbt_environment(warehouse, Settings(environment="ci"))}
    result = run_tool("sqlfluff", "lint", str(DBT_PROJECT_DIR), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
