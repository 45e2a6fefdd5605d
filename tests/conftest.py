"""Fixtures shared by every test: one real PostgreSQL per session (per pytest-xdist worker), a
fresh database per test.

With ``BEEJAN_WAREHOUSE_DSN`` (or ``PGHOST``) set, the session uses that server; otherwise it
starts the embedded one in a temporary directory and stops it at the end.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
from prefect.settings import PREFECT_API_URL
from prefect.testing.utilities import prefect_test_harness
from psycopg import sql
from xdist.scheduler import LoadScopeScheduling

from beejan.core.connections import PostgresConnection
from beejan.core.roles import ensure_roles
from beejan.core.settings import Settings, get_settings
from beejan.core.warehouse import EmbeddedWarehouse, warehouse_connection
from beejan.dbt_runner import run_dbt
from simulator.live import live
from simulator.production import play
from simulator.scenario import Scenario, ScenarioConfig
from tests.dbt.steps import LOADER, TRANSFORMER, incremental_rows, load_all, table_rows
from tests.fake_apis import FakeTwilio, FakeX

if TYPE_CHECKING:  # imported by pytest as a plugin (below), which must come first
    from simulator.fixtures import ScenarioFactory
    from simulator.live import LiveScenario

pytest_plugins = ["simulator.fixtures", "tests.alert_receivers"]
MONTH_DAYS = 30
# the modules whose tests read the simulated month: they run on one worker, so it is built once
MONTH_MODULES = ("tests/dbt/test_intelligence.py", "tests/serving/")
# the console script of this environment, for the tests that run commands as a user would
BEEJAN = str(Path(sys.executable).parent / "beejan")


class MonthOnOneWorker(LoadScopeScheduling):
    """pytest-xdist's scheduling with the tests of MONTH_MODULES as one unit, every other test a
    unit of its own. (xdist's own `loadgroup` marks do nothing under pytest 9.2, whose node ids
    no longer read the `_nodeid` that xdist rewrites.)"""

    def _split_scope(self, nodeid: str) -> str:
        return "month" if nodeid.startswith(MONTH_MODULES) else nodeid


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> MonthOnOneWorker:
    return MonthOnOneWorker(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that reads the month outside MONTH_MODULES would build it on a second worker."""
    strays = [
        item.nodeid
        for item in items
        if "month" in getattr(item, "fixturenames", ())
        and not item.nodeid.startswith(MONTH_MODULES)
    ]
    if strays:
        raise pytest.UsageError(f"add their modules to MONTH_MODULES: {', '.join(strays)}")


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresConnection]:
    """The session's PostgreSQL server, logged in as a role that may create databases."""
    settings = Settings()
    if not settings.uses_embedded_warehouse:
        yield warehouse_connection(settings)
        return
    server = EmbeddedWarehouse(tmp_path_factory.mktemp("warehouse"), "beejan_test")
    yield server.start()
    server.stop()


def create_database(server: PostgresConnection, name: str) -> PostgresConnection:
    with psycopg.connect(server.dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    return server.for_database(name)


def drop_database(server: PostgresConnection, name: str) -> None:
    with psycopg.connect(server.dsn("postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )


@pytest.fixture
def database(warehouse: PostgresConnection) -> Iterator[PostgresConnection]:
    """A new, empty database on the session server, dropped after the test."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    yield create_database(warehouse, name)
    drop_database(warehouse, name)


@pytest.fixture
def project_env(
    database: PostgresConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[PostgresConnection]:
    """Point the project's settings (in this process and its children) at the test database
    and a temporary data directory, as an operator would with environment variables."""
    monkeypatch.setenv("BEEJAN_WAREHOUSE_DSN", database.dsn())
    monkeypatch.setenv("BEEJAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PGHOST", raising=False)
    get_settings.cache_clear()
    yield database
    get_settings.cache_clear()


@pytest.fixture
def loaded(
    make_scenario: ScenarioFactory, project_env: PostgresConnection, monkeypatch: pytest.MonkeyPatch
) -> LiveScenario:
    """One simulated day (before the CMS adds its new columns), loaded by the real loaders
    logged in as the loader role; dbt logs in as the transformer."""
    live = make_scenario(days=1, seed=3)
    roles = {"BEEJAN_LOADER_PASSWORD": LOADER, "BEEJAN_TRANSFORMER_PASSWORD": TRANSFORMER}
    for name, value in {**live.env, **roles, "BEEJAN_ENVIRONMENT": "ci"}.items():
        monkeypatch.setenv(name, value)
    load_all(project_env)
    ensure_roles(project_env, Settings(_env_file=None))
    return live


@dataclass
class Month:
    scenario: Scenario
    warehouse: PostgresConnection
    settings: Settings
    incremental: dict[str, list[tuple]]  # mart or text model -> rows before the full refresh


@pytest.fixture(scope="session")
def month(
    warehouse: PostgresConnection, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Month]:
    """A simulated month (fixed seed, default scale) loaded every six days as production would;
    built halfway and at the end (incrementally), then once more from scratch. Shared by the
    intelligence and serving tests, which only read it (or add audit rows)."""
    root = tmp_path_factory.mktemp("month")
    database = create_database(warehouse, f"test_month_{uuid.uuid4().hex[:8]}")
    crm = warehouse.for_database(f"crm_{uuid.uuid4().hex[:8]}")
    scenario = Scenario(root / "scenario", ScenarioConfig(seed=7, scale=100), crm)
    scenario.advance(1)
    try:
        with live(scenario) as running:
            settings = running.settings(_env_file=None, data_dir=root / "data", environment="ci")
            play(running, database, settings, MONTH_DAYS, build_after=lambda day: day == 13)
            incremental = {
                "contacts": table_rows(database, "fct_complaint_contacts", "contact_key"),
                "complaints": table_rows(database, "fct_complaints", "complaint_key"),
            } | incremental_rows(database)
            run_dbt(["build", "--full-refresh"], database, settings)
            yield Month(scenario, database, settings, incremental)
    finally:
        drop_database(warehouse, database.database)
        drop_database(warehouse, crm.database)


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[str]:
    """A real, temporary Prefect server for the session; yields its API URL, which commands
    run as subprocesses are pointed at (PREFECT_API_URL) so that the tests read their runs."""
    with prefect_test_harness(server_startup_timeout=120):
        yield PREFECT_API_URL.value()


@pytest.fixture
def fake_x(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeX]:
    """An X recent-search server, with the project's settings pointing at it."""
    fake = FakeX()
    monkeypatch.setenv("BEEJAN_SOCIAL_API_BASE", fake.url)
    yield fake
    fake.close()


@pytest.fixture
def twilio(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    """A Twilio List Messages server, with the project's settings pointing at it."""
    fake = FakeTwilio("AC" + "0" * 32)
    monkeypatch.setenv("BEEJAN_SMS_API_BASE", fake.url)
    monkeypatch.setenv("BEEJAN_SMS_ACCOUNT_SID", fake.account_sid)
    yield fake
    fake.close()
