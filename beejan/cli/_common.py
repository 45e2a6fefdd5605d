"""What commands that touch the warehouse, or run the flow, do first."""

from __future__ import annotations

import os

from beejan.core import warehouse
from beejan.core.connections import PostgresConnection
from beejan.core.errors import BeejanError
from beejan.core.roles import ensure_roles
from beejan.core.settings import get_settings


def started_warehouse() -> PostgresConnection:
    """The warehouse (the embedded one started when it is the default), as its administrator."""
    settings = get_settings()
    settings.prepare_data_dir()
    return warehouse.warehouse_connection(settings)


def ready_warehouse() -> PostgresConnection:
    """The started warehouse with its roles provisioned: the administrator's connection, which
    the loaders and dbt trade for their own roles."""
    connection = started_warehouse()
    ensure_roles(connection, get_settings())
    return connection


def marts_in_warehouse(command: str) -> None:
    """Stop `command`, which reads the marts or the quarantine in PostgreSQL, on the spark
    engine: they are in the lake and Spark there, and an empty answer would pass for the truth."""
    if get_settings().on_lake:
        raise BeejanError(
            f"{command} reads the marts and the quarantine in PostgreSQL, and BEEJAN_ENGINE=spark "
            "keeps them in the lake: query them in Spark (README: The spark engine)"
        )


def prefect_defaults() -> None:
    """Without a Prefect server (PREFECT_API_URL), each run starts a temporary local one: keep its
    database under the data directory beside the rest of the project's state, send no
    telemetry, and give it time to start on a small machine. PREFECT_* variables win."""
    settings = get_settings()
    os.environ.setdefault("PREFECT_HOME", str(settings.data_dir / "prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
