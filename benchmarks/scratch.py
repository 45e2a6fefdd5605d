"""A scratch database (and CRM database) on the configured warehouse, dropped afterwards, so
benchmarks never touch the dev warehouse's data."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from beejan.core.connections import PostgresConnection
from beejan.core.settings import Settings
from beejan.core.warehouse import warehouse_connection


@contextmanager
def scratch_databases(
    more: int = 0,
) -> Iterator[tuple[PostgresConnection, ...]]:
    """(warehouse database, CRM database for the simulator, `more` warehouse databases); all
    dropped at the end."""
    server = warehouse_connection(Settings())
    database = f"bench_{uuid.uuid4().hex[:8]}"
    warehouses = [database, *(f"{database}_{n}" for n in range(1, more + 1))]
    with psycopg.connect(server.dsn("postgres"), autocommit=True) as conn:
        for name in warehouses:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    crm = server.for_database(f"{database}_crm")
    try:
        yield server.for_database(database), crm, *map(server.for_database, warehouses[1:])
    finally:
        with psycopg.connect(server.dsn("postgres"), autocommit=True) as conn:
            for name in (*warehouses, crm.database):
                conn.execute(
                    sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
                )
