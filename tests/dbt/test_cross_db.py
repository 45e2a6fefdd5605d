"""The dispatched macros (dbt_project/macros/cross_db) mean the same on both engines: the probes
in cross_db_probes.sql, run by dbt on PostgreSQL and on Spark in local mode, give the same
values. The Spark session keeps Lagos time, so a macro that leaned on a UTC session would show."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from beejan.core.connections import PostgresConnection
from beejan.core.roles import ensure_roles
from beejan.core.settings import PROJECT_DIR, Settings
from beejan.dbt_runner import DBT_PROJECT_DIR, dbt_environment
from tests.dbt.steps import LOADER, TRANSFORMER
from tests.debian import debian_command
from tests.test_lint import macros_defined

pytestmark = pytest.mark.slow

PROBES = Path(__file__).parent / "cross_db_probes.sql"
CROSS_DB_MACROS = DBT_PROJECT_DIR / "macros" / "cross_db"
# statements, not values, so not in a probe's select: every table's post-hooks, every seed;
# and the key check, which asks PostgreSQL's catalog for an index where Spark reads the rows
STATEMENTS = {
    "update_statistics",
    "unique_key_index",
    "unique_key_violations",
    "load_csv_rows",
    "spark_literal",
}
SPARK_PROFILE = {
    "beejan_warehouse": {
        "target": "spark",
        "outputs": {
            "spark": {
                "type": "spark",
                "method": "session",
                "host": "localhost",
                "schema": "probes",
                "server_side_parameters": {
                    "spark.sql.session.timeZone": "Africa/Lagos",
                    "spark.ui.enabled": "false",
                },
            }
        },
    }
}


def probe(env: dict[str, str], profiles_dir: Path, workdir: Path) -> dict[str, Any]:
    """The probes' one row, as `dbt show` prints it."""
    command = [
        *(str(Path(sys.executable).parent / "dbt"), "show", "--quiet", "--output", "json"),
        *("--inline", PROBES.read_text(), "--project-dir", str(DBT_PROJECT_DIR)),
        *("--profiles-dir", str(profiles_dir), "--target-path", str(workdir / "target")),
        *("--log-path", str(workdir / "logs")),
    ]
    # cwd: Spark's local metastore and warehouse folders land there
    shown = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    assert shown.returncode == 0, shown.stdout + shown.stderr[-3000:]
    return json.loads(shown.stdout[shown.stdout.index('{\n  "show"') :])["show"][0]


def same(left: Any, right: Any) -> bool:
    """Equal, numbers to within rounding (PostgreSQL's numeric against Spark's decimal)."""
    if isinstance(left, int | float) and isinstance(right, int | float):
        return math.isclose(left, right, rel_tol=1e-12)
    return left == right


def test_the_probes_call_every_dispatched_macro() -> None:
    defined = macros_defined(CROSS_DB_MACROS)
    probes = PROBES.read_text()
    assert len(defined) > 15
    assert {name for name in defined if f"{name}(" not in probes} == STATEMENTS


def test_dispatched_macros_give_the_same_values_on_postgres_and_on_spark(
    project_env: PostgresConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    java = debian_command("java", "openjdk-17-jre-headless")
    for name, value in {
        "BEEJAN_LOADER_PASSWORD": LOADER,
        "BEEJAN_TRANSFORMER_PASSWORD": TRANSFORMER,
    }.items():
        monkeypatch.setenv(name, value)
    ensure_roles(project_env, Settings(_env_file=None))  # fuzzystrmatch, for edit_distance
    postgres_env = os.environ | dbt_environment(project_env, Settings(environment="ci"))
    (tmp_path / "postgres").mkdir()
    on_postgres = probe(postgres_env, PROJECT_DIR, tmp_path / "postgres")

    spark_dir = tmp_path / "spark"
    spark_dir.mkdir()
    (spark_dir / "profiles.yml").write_text(yaml.safe_dump(SPARK_PROFILE))
    spark_env = os.environ | {
        "PATH": f"{Path(java).parent}:{os.environ['PATH']}",
        "SPARK_LOCAL_IP": "127.0.0.1",
    }
    spark_env.pop("DBT_TARGET", None)
    on_spark = probe(spark_env, spark_dir, spark_dir)

    assert len(on_postgres) > 25
    assert on_spark.keys() == on_postgres.keys()
    different = {
        name: (value, on_spark[name])
        for name, value in on_postgres.items()
        if not same(value, on_spark[name])
    }
    assert different == {}
