"""Roles and raw grants: only the transformer role may read raw data."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from beejan.core.connections import PostgresConnection
from beejan.core.roles import grant_raw_reading


@pytest.fixture
def raw_schema(database: PostgresConnection) -> PostgresConnection:
    with psycopg.connect(database.dsn(), autocommit=True) as conn:
        conn.execute("create schema raw_demo; create table raw_demo.t (pii text)")
        conn.execute("insert into raw_demo.t values ('+2348035550134')")
        for role in ("transformer", "someone_else"):
            if not conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone():
                conn.execute(sql.SQL("create role {}").format(sql.Identifier(role)))
    return database


def can_read(database: PostgresConnection, role: str) -> bool:
    with psycopg.connect(database.dsn(), autocommit=True) as conn:
        conn.execute(sql.SQL("set role {}").format(sql.Identifier(role)))
        try:
            conn.execute("select * from raw_demo.t").fetchall()
        except psycopg.errors.InsufficientPrivilege:
            return False
        return True


def test_transformer_reads_raw_and_nobody_else_does(raw_schema: PostgresConnection) -> None:
    assert grant_raw_reading(raw_schema) is True
    assert can_read(raw_schema, "transformer")
    assert not can_read(raw_schema, "someone_else")
