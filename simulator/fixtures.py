"""pytest fixtures that play Beejan's five systems in-process (register with
``pytest_plugins = ["simulator.fixtures"]``). They need a ``warehouse`` fixture: the PostgreSQL
server on which each scenario gets its own CRM database."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from beejan.core.connections import PostgresConnection
from simulator.live import LiveScenario, live
from simulator.scenario import Scenario, ScenarioConfig
from simulator.serving import Faults

ScenarioFactory = Callable[..., LiveScenario]


@pytest.fixture
def make_scenario(warehouse: PostgresConnection, tmp_path: Path) -> Iterator[ScenarioFactory]:
    """Build live scenarios: ``make_scenario(days=1, scale=30, seed=7, faults=Faults(...))``."""
    stack = ExitStack()
    crm_databases: list[str] = []

    def build(
        days: int = 1,
        scale: int = 30,
        seed: int = 7,
        faults: Faults | None = None,
        with_crm: bool = True,
    ) -> LiveScenario:
        root = tmp_path / f"scenario-{len(crm_databases)}-{uuid.uuid4().hex[:6]}"
        crm = None
        if with_crm:
            crm = warehouse.for_database(f"crm_{uuid.uuid4().hex[:10]}")
            crm_databases.append(crm.database)
        scenario = Scenario(root, ScenarioConfig(seed=seed, scale=scale), crm)
        scenario.advance(days)
        return stack.enter_context(live(scenario, faults or Faults()))

    yield build
    stack.close()
    with psycopg.connect(warehouse.dsn("postgres"), autocommit=True) as conn:
        for name in crm_databases:
            conn.execute(
                sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
            )


@pytest.fixture
def scenario(make_scenario: ScenarioFactory) -> LiveScenario:
    """One simulated day at a small scale (about 30 complaints), APIs up, no faults."""
    return make_scenario()
