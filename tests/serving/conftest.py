"""The serving tests read the shared simulated month (tests/conftest.py) through the real
commands: `beejan report`, `beejan docs --serve` and `beejan api serve`, as subprocesses."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from beejan.core.roles import ensure_roles
from beejan.core.settings import PROJECT_DIR
from beejan.dbt_runner import run_dbt
from flows import audit
from tests.conftest import BEEJAN, Month
from tests.debian import debian_command

# Screenshots of the browser tests land here (git-ignored) for a person to look at.
ARTEFACTS = PROJECT_DIR / "artefacts" / "browser"


@pytest.fixture(scope="session")
def served(month: Month) -> Month:
    """The month with pipeline runs in its audit trail (one completed, one failed), so that
    every section of the report and every endpoint has rows."""
    # roles are server-wide: tests run since the month was built may have changed their logins
    ensure_roles(month.warehouse, month.settings)
    audit.start(month.warehouse, "serving-completed", ["social", "sms"])
    audit.finish(month.warehouse, "serving-completed", "completed", {}, None)
    audit.start(month.warehouse, "serving-failed", ["sms"])
    audit.finish(month.warehouse, "serving-failed", "failed", {}, "sms: connection refused")
    # the staging view is empty until the audit table exists, so it is rebuilt too
    run_dbt(
        ["build", "--select", "stg_audit__pipeline_runs fct_pipeline_runs"],
        month.warehouse,
        month.settings,
    )
    return month


@pytest.fixture(scope="session")
def served_env(served: Month) -> dict[str, str]:
    """The environment an operator would set to point the commands at the month."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("BEEJAN_", "PG"))}
    return env | {
        "BEEJAN_WAREHOUSE_DSN": served.warehouse.dsn(),
        "BEEJAN_DATA_DIR": str(served.settings.data_dir),
        "BEEJAN_ENVIRONMENT": "ci",
    }


def beejan(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BEEJAN, *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(command: list[str], env: dict[str, str], ready_url: str) -> Iterator[subprocess.Popen]:
    """Run a server command until the test is done; ready once `ready_url` answers."""
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{command} exited: {process.stdout.read()}")
            try:
                if requests.get(ready_url, timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{command} did not start")
            time.sleep(0.5)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="session")
def chromium() -> str:
    return debian_command("chromium", "chromium")


@pytest.fixture
def screenshots() -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS
