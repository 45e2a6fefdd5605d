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
def scratch_databases() -> Iterator[tuple[PostgresConnection, PostgresConnection]]:
    """(warehouse database, CRM database for the simulator); both dropped at the end."""
    server = warehouse_connection(Settings())
    database = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server.dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(database)))
    crm = server.for_database(f"{database}_crm")
    try:
        yield server.for_database(database), crm
    finally:
        with psycopg.connect(server.dsn("postgres"), autocommit=True) as conn:
            for name in (database, crm.database):
                conn.execute(
                    sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
                )
