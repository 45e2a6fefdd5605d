"""The pipeline steps dbt tests repeat: load every source, build the project."""

from __future__ import annotations

import psycopg

from beejan.core.connections import PostgresConnection
from beejan.core.roles import ensure_roles
from beejan.core.settings import Settings
from beejan.dbt_runner import run_dbt
from extract_load.registry import ALL_SOURCES
from extract_load.runner import load_sources

MARTS = "ci_marts"  # the ci target's marts schema
INTERMEDIATE = "ci_intermediate"
CONTACTS = f"{MARTS}.fct_complaint_contacts"
# the incremental intermediate models, by their unique key
INCREMENTAL_MODELS = {
    "int_complaints__unioned": "contact_key",
    "int_complaint_texts__tokenized": "token_key",
    "int_complaint_texts__matched": "match_key",
    "int_complaint_texts__scored": "contact_key",
}
# the roles the loaders and dbt log in as in these tests
LOADER = "loader-test-password"
TRANSFORMER = "transformer-test-password"


def load_all(warehouse: PostgresConnection) -> None:
    settings = Settings(_env_file=None)
    ensure_roles(warehouse, settings)
    results = load_sources(ALL_SOURCES, settings, warehouse)
    assert [r.error for r in results] == [None] * len(ALL_SOURCES)


def build(warehouse: PostgresConnection) -> None:
    run_dbt(["build"], warehouse, Settings(_env_file=None))


def table_rows(
    warehouse: PostgresConnection, table: str, order_by: str, schema: str = MARTS
) -> list[tuple]:
    with psycopg.connect(warehouse.dsn()) as conn:
        return conn.execute(f"select * from {schema}.{table} order by {order_by}").fetchall()


def incremental_rows(warehouse: PostgresConnection) -> dict[str, list[tuple]]:
    """The rows of every incremental intermediate model, by model."""
    return {
        model: table_rows(warehouse, model, key, INTERMEDIATE)
        for model, key in INCREMENTAL_MODELS.items()
    }
