"""Roles: only the transformer reads raw data and the PII salt; the reporter reaches the
warehouse database alone and cannot create tables, not even temporary ones."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest
from psycopg import sql

from beejan.core.connections import PostgresConnection
from beejan.core.locks import raw_lock, warehouse_lock
from beejan.core.roles import ensure_roles, generated_passwords_file, grant_raw_reading, login_as
from beejan.core.settings import Settings
from tests.conftest import create_database, drop_database


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


def test_a_schema_being_loaded_is_left_to_its_load(raw_schema: PostgresConnection) -> None:
    """GRANT and a load's DDL on the same table at once fail one side ("tuple concurrently
    updated"), so granting every raw schema passes over one whose lock a load holds; the load
    grants its own schemas under that lock."""
    with warehouse_lock(raw_schema, raw_lock("demo")):
        assert grant_raw_reading(raw_schema) is True
        assert not can_read(raw_schema, "transformer")
        grant_raw_reading(raw_schema, ["demo"])  # what the load does, holding the lock
        assert can_read(raw_schema, "transformer")


@pytest.fixture
def provisioned(database: PostgresConnection, tmp_path, monkeypatch) -> tuple:
    """The roles provisioned on a fresh warehouse database beside a CRM database."""
    crm = create_database(database, f"crm_{uuid.uuid4().hex[:8]}")
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", pii_salt="s3cret-salt-value")
    ensure_roles(database, settings)
    yield database, crm, settings
    drop_database(database, crm.database)


def test_the_reporter_connects_to_the_warehouse_database_and_no_other(provisioned) -> None:
    warehouse, crm, settings = provisioned
    reporter = login_as("reporter", warehouse, settings)
    with psycopg.connect(reporter.dsn()):
        pass
    for other in ("postgres", "template1", crm.database):
        with pytest.raises(psycopg.OperationalError, match="permission denied"):
            psycopg.connect(reporter.dsn(other)).close()


def test_the_reporter_cannot_create_temporary_tables(provisioned) -> None:
    warehouse, _, settings = provisioned
    with (
        psycopg.connect(login_as("reporter", warehouse, settings).dsn()) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("create temporary table scratch (x int)")


def test_only_the_transformer_reads_the_pii_salt(provisioned) -> None:
    warehouse, _, settings = provisioned
    with psycopg.connect(login_as("transformer", warehouse, settings).dsn()) as conn:
        assert conn.execute("select salt from private.pii_salt").fetchone() == (
            "s3cret-salt-value",
        )
    for role in ("reporter", "loader"):
        with (
            psycopg.connect(login_as(role, warehouse, settings).dsn()) as conn,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
        ):
            conn.execute("select salt from private.pii_salt")


def test_generated_role_passwords_are_kept_for_the_owner_only(provisioned) -> None:
    _, _, settings = provisioned
    store = generated_passwords_file(settings)
    assert set(json.loads(store.read_text())) == {"loader", "transformer", "reporter"}
    assert store.stat().st_mode & 0o077 == 0
