"""A warehouse loaded by the real loaders from a live simulated scenario, for dbt to build on."""

from __future__ import annotations

import pytest

from beejan.core.connections import PostgresConnection
from beejan.core.roles import ensure_roles
from beejan.core.settings import Settings
from simulator.fixtures import ScenarioFactory
from simulator.live import LiveScenario
from tests.dbt.steps import LOADER, TRANSFORMER, load_all


@pytest.fixture
def loaded(
    make_scenario: ScenarioFactory, project_env: PostgresConnection, monkeypatch: pytest.MonkeyPatch
) -> LiveScenario:
    """One simulated day (before the CMS adds its new columns), loaded by the real loaders
    logged in as the loader role; dbt logs in as the transformer. Seed 3 re-delivers a cut-off
    complaint line of day one whole on day two: a late arrival."""
    live = make_scenario(days=1, seed=3)
    roles = {"BEEJAN_LOADER_PASSWORD": LOADER, "BEEJAN_TRANSFORMER_PASSWORD": TRANSFORMER}
    for name, value in {**live.env, **roles, "BEEJAN_DBT_TARGET": "ci"}.items():
        monkeypatch.setenv(name, value)
    load_all(project_env)
    ensure_roles(project_env, Settings(_env_file=None))
    return live
