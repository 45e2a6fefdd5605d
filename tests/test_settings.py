"""One environment variable points everything at an external PostgreSQL."""

from __future__ import annotations

import pytest

from beejan.core.connections import PostgresConnection
from beejan.core.settings import Settings
from beejan.core.warehouse import warehouse_connection


@pytest.fixture
def no_warehouse_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("BEEJAN_WAREHOUSE_DSN", "PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_without_configuration_the_warehouse_is_the_embedded_one(no_warehouse_env) -> None:
    assert Settings(_env_file=None).uses_embedded_warehouse


def test_a_dsn_selects_an_external_warehouse(
    no_warehouse_env: pytest.MonkeyPatch, database: PostgresConnection
) -> None:
    no_warehouse_env.setenv("BEEJAN_WAREHOUSE_DSN", database.dsn())
    settings = Settings()
    assert not settings.uses_embedded_warehouse
    assert warehouse_connection(settings) == database


def test_the_usual_pg_variables_select_an_external_warehouse(
    no_warehouse_env: pytest.MonkeyPatch, database: PostgresConnection
) -> None:
    no_warehouse_env.setenv("PGHOST", database.host)
    no_warehouse_env.setenv("PGPORT", str(database.port))
    no_warehouse_env.setenv("PGUSER", database.user)
    no_warehouse_env.setenv("PGPASSWORD", database.password)
    no_warehouse_env.setenv("PGDATABASE", database.database)
    settings = Settings()
    assert not settings.uses_embedded_warehouse
    assert warehouse_connection(settings) == database


def test_dsn_with_special_characters_round_trips() -> None:
    connection = PostgresConnection("db.example", 6543, "ops@beejan", "p@ss:/w?rd", "beejan")
    assert PostgresConnection.from_dsn(connection.dsn()) == connection


def test_a_malformed_dsn_is_refused_with_the_expected_shape() -> None:
    with pytest.raises(ValueError, match=r"postgresql://user:password@host:port/database"):
        PostgresConnection.from_dsn("mysql://somewhere")
