"""The `beejan` console script, run as a user runs it: a real process, real exit codes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
from collections import Counter
from pathlib import Path
from uuid import UUID

import psycopg
import pytest

from beejan.core.settings import Settings
from beejan.dbt_runner import dbt_artifacts
from extract_load.registry import ALL_SOURCES
from tests.conftest import BEEJAN
from tests.prefect_api import task_runs


def beejan(
    *args: str, env: dict[str, str] | None = None, timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BEEJAN, *args], capture_output=True, text=True, env=env, timeout=timeout, check=False
    )


def single_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """A failed command: exit 1, no traceback, and exactly one `error:` line, the last one
    (progress logs may come before it)."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert [line for line in lines if line.startswith("error:")] == lines[-1:], result.stderr
    return lines[-1]


def clean_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The caller's environment without any warehouse configured, state under tmp_path."""
    env = {
        name: value for name, value in os.environ.items() if not name.startswith(("BEEJAN_", "PG"))
    }
    env["BEEJAN_DATA_DIR"] = str(tmp_path / "data")
    env.update(overrides)
    return env


def test_help_lists_every_subcommand() -> None:
    result = beejan("--help")
    assert result.returncode == 0
    for command in ("warehouse", "run", "build", "dbt"):
        assert command in result.stdout


@pytest.mark.parametrize(
    "command", [["warehouse"], ["warehouse", "start"], ["warehouse", "stop"], ["run"], ["build"]]
)
def test_every_subcommand_has_help(command: list[str]) -> None:
    result = beejan(*command, "--help")
    assert result.returncode == 0
    assert "Usage:" in result.stdout


def test_unreachable_warehouse_is_one_clear_line_and_exit_1(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    dsn = f"postgresql://someone:secret@127.0.0.1:{closed_port}/beejan"
    result = beejan("warehouse", "start", env=clean_env(tmp_path, BEEJAN_WAREHOUSE_DSN=dsn))
    error = single_error_line(result)
    assert error.startswith("error: cannot reach the warehouse at someone@127.0.0.1")
    assert "secret" not in result.stderr


def test_port_in_use_is_one_clear_line_and_exit_1(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = beejan("warehouse", "start", env=clean_env(tmp_path, BEEJAN_WAREHOUSE_PORT=port))
    assert single_error_line(result) == (
        f"error: port {port} (BEEJAN_WAREHOUSE_PORT) is already in use; "
        "choose another port or unset it to pick a free one"
    )


def test_corrupt_data_directory_is_one_clear_line_and_exit_1(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    assert beejan("warehouse", "start", env=env).returncode == 0
    assert beejan("warehouse", "stop", env=env).returncode == 0
    pg_control = tmp_path / "data" / "warehouse" / "pgdata" / "global" / "pg_control"
    pg_control.write_bytes(b"garbage")
    result = beejan("warehouse", "start", env=env)
    assert single_error_line(result).startswith("error: the embedded warehouse did not start")


def test_status_says_stopped_and_exits_1_when_nothing_runs(tmp_path: Path) -> None:
    result = beejan("warehouse", "status", env=clean_env(tmp_path))
    assert result.returncode == 1
    assert "embedded warehouse stopped" in result.stdout


@pytest.mark.slow
def test_run_simulate_is_one_audited_flow_run_with_a_task_per_source_and_dbt_node(
    tmp_path: Path, prefect_server: str
) -> None:
    """The README's run command on a machine with nothing running (embedded warehouse,
    simulated sources) is the Prefect flow: one audit row, one task per source and one per dbt
    model, seed, snapshot and test, read back from the Prefect API, and then the report."""
    env = clean_env(tmp_path, PREFECT_API_URL=prefect_server)
    try:
        result = beejan("run", "--simulate", env=env, timeout=1200)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "pipeline finished" in result.stdout
        log = result.stdout + result.stderr
        for source in ALL_SOURCES:
            assert f"{source} loaded:" in log
        assert "of 2" in log and " OK created sql table model " in log  # dbt's progress
        [(run_id, status, sources)] = audit_rows(warehouse_env(env))
    finally:
        assert beejan("warehouse", "stop", env=env).returncode == 0
    assert (status, sorted(sources)) == ("completed", sorted(ALL_SOURCES))
    report = tmp_path / "data" / "reports" / "complaint_report.html"
    assert "Beejan complaints report" in report.read_text()  # rewritten by every run

    names = Counter(task_run.name for task_run in task_runs(UUID(run_id)))
    assert all(names[f"load {source}"] == 1 for source in ALL_SOURCES)
    assert names["publish report"] == 1
    artifacts = dbt_artifacts(Settings(_env_file=None, data_dir=tmp_path / "data"))
    run_results = json.loads((artifacts / "run_results.json").read_text())
    nodes = [
        result["unique_id"].split(".")
        for result in run_results["results"]
        if result["unique_id"].split(".")[0] in ("model", "seed", "snapshot", "test", "unit_test")
    ]
    assert len(nodes) > 250
    # prefect-dbt names a node's task "<resource type> <name>"; ids are type.project.name[.hash]
    # and, for a unit test, unit_test.project.model.name
    expected = Counter(
        f"{parts[0]} {parts[3 if parts[0] == 'unit_test' else 2]}" for parts in nodes
    )
    assert {name: names[name] for name in expected} == expected


def warehouse_env(env: dict[str, str]) -> dict[str, str]:
    """The transformer's login that `beejan warehouse env` prints."""
    printed = beejan("warehouse", "env", env=env).stdout
    return dict(
        line.removeprefix("export ").split("=", 1)
        for line in printed.splitlines()
        if line.startswith("export ")
    )


def audit_rows(login: dict[str, str]) -> list[tuple]:
    with psycopg.connect(
        host=login["BEEJAN_PG_HOST"],
        port=login["BEEJAN_PG_PORT"],
        user=login["BEEJAN_PG_USER"],
        password=login["BEEJAN_PG_PASSWORD"],
        dbname=login["BEEJAN_PG_DATABASE"],
    ) as conn:
        return conn.execute("select run_id, status, sources from audit.pipeline_runs").fetchall()


def test_load_reports_a_failing_source_and_still_loads_the_others(
    tmp_path: Path, make_scenario
) -> None:
    live = make_scenario(days=1)
    env = clean_env(tmp_path, **{**live.env, "BEEJAN_SOCIAL_BEARER_TOKEN": "wrong"})
    env["BEEJAN_WAREHOUSE_DSN"] = live.scenario.crm.dsn()  # any database will do as warehouse
    result = beejan("load", "social", "web_forms", env=env)
    assert "web_forms    loaded  submissions" in result.stdout
    assert "rejected our credentials (401)" in result.stderr
    assert single_error_line(result) == "error: 1 of 2 source(s) failed: social"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BEEJAN_WAREHOUSE_DSN", "not-a-dsn"),
        ("BEEJAN_WAREHOUSE_DSN", "postgresql://someone:secret@127.0.0.1:99999/beejan"),
        ("BEEJAN_WAREHOUSE_PORT", "abc"),
        ("BEEJAN_WAREHOUSE_PORT", "70000"),
        ("BEEJAN_LOAD_RETRIES", "abc"),
        ("BEEJAN_LOAD_RETRIES", "-3"),
        ("BEEJAN_SCHEDULE_CRON", "every morning"),
        ("BEEJAN_SCHEDULE_TIMEZONE", "Mars/Olympus"),
        ("BEEJAN_DATA_DIR", "/proc/beejan"),
        ("BEEJAN_DATA_DIR", "/etc/hostname/data"),
        ("BEEJAN_ENVIRONMENT", "qa"),
        ("BEEJAN_MAX_RECORD_BYTES", "12"),
        ("BEEJAN_SMS_API_BASE", "ftp://sms.example"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(tmp_path: Path, name: str, value: str) -> None:
    result = beejan("warehouse", "status", env=clean_env(tmp_path, **{name: value}))
    line = single_error_line(result)
    assert line.startswith(f"error: {name}: "), line
    assert "secret" not in result.stderr


def test_a_data_dir_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    env = clean_env(tmp_path, BEEJAN_DATA_DIR=str(locked / "data"))
    if os.geteuid() == 0:  # root writes anywhere: a folder under a file cannot be created
        (tmp_path / "afile").write_text("")
        env["BEEJAN_DATA_DIR"] = str(tmp_path / "afile" / "data")
    line = single_error_line(beejan("load", "web_forms", env=env))
    assert line.startswith("error: BEEJAN_DATA_DIR: ")


@pytest.mark.parametrize("command", [["quarantine", "counts"], ["report"], ["api", "serve"]])
def test_what_reads_marts_in_postgresql_refuses_the_spark_engine(
    tmp_path: Path, command: list[str]
) -> None:
    """On the spark engine the marts and the quarantine are in the lake: an empty answer from
    PostgreSQL would pass for the truth, so these say where to look, before any warehouse."""
    result = beejan(*command, env=clean_env(tmp_path, BEEJAN_ENGINE="spark"))
    line = single_error_line(result)
    assert "BEEJAN_ENGINE=spark" in line and "query them in Spark" in line
    assert not (tmp_path / "data" / "warehouse").exists()


@pytest.mark.slow
def test_the_warehouse_dying_mid_load_is_one_clear_line(tmp_path: Path, make_scenario) -> None:
    live = make_scenario(days=2, scale=400)
    env = clean_env(tmp_path, **live.env)
    assert beejan("warehouse", "start", env=env).returncode == 0
    process = subprocess.Popen(
        [BEEJAN, "load", "social", "sms", "call_center", "web_forms"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    errors = []
    for line in process.stderr:  # wait until the loads are under way
        errors.append(line)
        if "extracting" in line:
            break
    server_pid = int((tmp_path / "data/warehouse/pgdata/postmaster.pid").read_text().split()[0])
    os.kill(server_pid, signal.SIGKILL)
    stdout, rest = process.communicate(timeout=300)
    result = subprocess.CompletedProcess(
        process.args, process.returncode, stdout, "".join(errors) + rest
    )
    line = single_error_line(result)
    assert "warehouse" in line or "failed" in line, line
