"""The `beejan` console script, run as a user runs it: a real process, real exit codes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

BEEJAN = str(Path(sys.executable).parent / "beejan")


def beejan(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BEEJAN, *args], capture_output=True, text=True, env=env, timeout=300, check=False
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
def test_run_brings_up_the_embedded_warehouse_and_stop_takes_it_down(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    try:
        result = beejan("run", env=env)
        assert result.returncode == 0, result.stderr
        assert "pipeline finished" in result.stdout
        status = beejan("warehouse", "status", env=env)
        assert status.returncode == 0
        assert "embedded warehouse running" in status.stdout
    finally:
        stop = beejan("warehouse", "stop", env=env)
    assert stop.returncode == 0
    assert beejan("warehouse", "status", env=env).returncode == 1
