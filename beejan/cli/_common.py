"""What every command that touches the warehouse does first, once."""

from __future__ import annotations

from beejan.core import warehouse
from beejan.core.connections import PostgresConnection
from beejan.core.roles import ensure_roles
from beejan.core.settings import get_settings


def ready_warehouse() -> PostgresConnection:
    """The warehouse (the embedded one started when it is the default), its roles provisioned;
    the administrator's connection, which the loaders and dbt trade for their own roles."""
    settings = get_settings()
    settings.prepare_data_dir()
    connection = warehouse.warehouse_connection(settings)
    ensure_roles(connection, settings)
    return connection
