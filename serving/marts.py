"""The marts as the reporter role sees them: the one way the report and the read API reach the
warehouse. The role's grants, not this code, keep them off raw, staging and PII."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from beejan.core.connections import PostgresConnection
from beejan.core.errors import BeejanError
from beejan.core.roles import login_as
from beejan.core.settings import Settings
from beejan.dbt_runner import marts_schema


class MartsNotBuilt(BeejanError):
    """A mart the query needs is not in the warehouse (yet)."""


class Marts:
    """Read-only queries on the environment's mart schema, over a small pool of reporter logins.
    Queries name marts as `{marts}.table`; the schema is filled in here."""

    def __init__(
        self, warehouse: PostgresConnection, settings: Settings, *, max_connections: int = 4
    ) -> None:
        reporter = login_as("reporter", warehouse, settings)
        self.schema = marts_schema(settings)
        self._pool = ConnectionPool(
            reporter.dsn(),
            min_size=1,
            max_size=max_connections,
            kwargs={"autocommit": True, "row_factory": dict_row},
            configure=_read_only,
            open=True,
        )

    def rows(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        statement = sql.SQL(query).format(marts=sql.Identifier(self.schema))
        try:
            with self._pool.connection() as conn:
                return conn.execute(statement, params or {}).fetchall()
        except psycopg.errors.UndefinedTable as error:
            raise MartsNotBuilt(
                f"{error.diag.message_primary}: build the marts first (`beejan build`)"
            ) from error

    def close(self) -> None:
        self._pool.close()

    def __enter__(self) -> Marts:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _read_only(conn: psycopg.Connection) -> None:
    conn.execute("set default_transaction_read_only = on")
    conn.execute("set statement_timeout = '30s'")
