"""Loading the simulator's sources into a fresh warehouse database, as an operator would."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest
from psycopg import sql

from beejan.core.connections import PostgresConnection
from beejan.core.roles import ensure_roles
from beejan.core.settings import Settings
from extract_load.pipeline import LoadResult
from extract_load.registry import ALL_SOURCES
from extract_load.runner import load_sources
from simulator.fixtures import ScenarioFactory
from simulator.live import LiveScenario

Loader = Callable[..., list[LoadResult]]
DLT_SOURCES = tuple(name for name in ALL_SOURCES if name != "crm")


@pytest.fixture
def sources(
    make_scenario: ScenarioFactory, project_env: PostgresConnection, monkeypatch: pytest.MonkeyPatch
) -> LiveScenario:
    """Two simulated days, with the project's settings pointing at them."""
    live = make_scenario(days=2)
    for name, value in live.env.items():
        monkeypatch.setenv(name, value)
    return live


@pytest.fixture
def load(project_env: PostgresConnection) -> Loader:
    """Load the named dlt sources (default: all four) into the test's warehouse database."""

    def run(names=DLT_SOURCES, **options) -> list[LoadResult]:
        settings = Settings(_env_file=None)
        ensure_roles(project_env, settings)
        return load_sources(list(names), settings, project_env, **options)

    return run


def raw_keys(connection: PostgresConnection, table: str, key: str) -> list[str]:
    with psycopg.connect(connection.dsn()) as conn:
        return [row[0] for row in conn.execute(f"select {key}::text from {table}")]


def quarantined(connection: PostgresConnection, source: str) -> list[tuple[str, str, str]]:
    with psycopg.connect(connection.dsn()) as conn:
        return conn.execute(
            "select reason, origin, payload from raw_quarantine.quarantined_records "
            "where source = %s",
            (source,),
        ).fetchall()


def table_rows(
    connection: PostgresConnection, schema: str, table: str, key: str, keep: Callable[[str], bool]
) -> list[tuple]:
    """A table's rows in key order, of its columns that `keep` (in name order): to compare what
    two loads landed, without what differs between any two loads."""
    with psycopg.connect(connection.dsn()) as conn:
        columns = [
            name
            for (name,) in conn.execute(
                "select column_name from information_schema.columns "
                "where table_schema = %s and table_name = %s order by column_name",
                (schema, table),
            )
            if keep(name)
        ]
        query = sql.SQL("select {} from {} order by {}").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)),
            sql.Identifier(schema, table),
            sql.Identifier(key),
        )
        return [*conn.execute(query)]
