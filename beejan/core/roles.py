"""The warehouse roles (see ARCHITECTURE.md): who may write raw, build models, read marts.

- loader: writes raw_*; the loads log in as it;
- transformer: reads raw_*, owns what dbt builds; dbt logs in as it;
- reporter: reads marts only (dbt `grants` give it each mart; it never sees raw or staging),
  may connect to the warehouse database and no other, and may not create temporary tables.

Every role logs in with a password: BEEJAN_<ROLE>_PASSWORD when set, otherwise one generated on
first use and kept in `<data_dir>/warehouse/roles.json` (mode 0600), so the pipeline never needs
the administrator's login beyond provisioning. Running this again is harmless.

The PII salt lives in a table only the transformer can read (`private.pii_salt`): models hash
with it at query time, so no view definition and no compiled file holds it.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Sequence
from pathlib import Path

import psycopg
from psycopg import sql

from beejan.core.connections import PostgresConnection
from beejan.core.errors import WarehouseError
from beejan.core.locks import raw_lock, warehouse_lock
from beejan.core.settings import Settings

log = logging.getLogger(__name__)

ROLES = ("loader", "transformer", "reporter")
RAW_SCHEMAS = r"raw\_%"  # every schema a loader writes, the quarantine included
PRIVATE_SCHEMA = "private"
EXTENSIONS_SCHEMA = "extensions"
# Databases every PostgreSQL server has: the reporter must not connect to them either.
SERVER_DATABASES = ("postgres", "template1")


def role_password(role: str, settings: Settings) -> str:
    """The role's password: from its setting, else the generated one (created on first use)."""
    configured = {
        "loader": settings.loader_password,
        "transformer": settings.transformer_password,
        "reporter": settings.reporter_password,
    }[role]
    if configured is not None:
        return configured.get_secret_value()
    store = generated_passwords_file(settings)
    passwords = json.loads(store.read_text()) if store.exists() else {}
    if role not in passwords:
        passwords[role] = secrets.token_urlsafe(24)
        store.parent.mkdir(parents=True, exist_ok=True)
        store.touch(mode=0o600, exist_ok=True)
        store.chmod(0o600)
        store.write_text(json.dumps(passwords, indent=2))
    return passwords[role]


def generated_passwords_file(settings: Settings) -> Path:
    return settings.data_dir / "warehouse" / "roles.json"


def login_as(role: str, connection: PostgresConnection, settings: Settings) -> PostgresConnection:
    """The same warehouse database, logged in as `role`."""
    return connection.as_login(role, role_password(role, settings))


def ensure_roles(connection: PostgresConnection, settings: Settings) -> list[str]:
    """Provision the roles with `connection` (an administrator): create them, set their
    passwords, grant what each may do on the warehouse database and take away the rest, and
    store the PII salt. Returns the roles."""
    database = sql.Identifier(connection.database)
    with psycopg.connect(connection.dsn(), autocommit=True) as conn:
        for role in ROLES:
            name = sql.Identifier(role)
            if not conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone():
                conn.execute(sql.SQL("create role {}").format(name))
            conn.execute(
                sql.SQL("alter role {} login password {}").format(
                    name, sql.Literal(role_password(role, settings))
                )
            )
        for statement in (
            "revoke all on database {} from public",
            "grant connect on database {} to loader, transformer, reporter",
            "grant create, temporary on database {} to loader, transformer",
        ):
            conn.execute(sql.SQL(statement).format(database))
        _close_other_databases(conn, connection.database)
        _install_extensions(conn)
        _store_pii_salt(conn, settings)
    grant_raw_reading(connection)
    return list(ROLES)


def _close_other_databases(conn: psycopg.Connection, warehouse_database: str) -> None:
    """Take PUBLIC's default CONNECT away from the server's own databases and from the CRM's
    when it lives on this server (as in development), where we may: the reporter then reaches
    the warehouse database only. Other people's databases on a shared server are left alone."""
    rows = conn.execute(
        "select datname from pg_database where datallowconn and datname <> %s and ("
        "  datname = any(%s) or datname like 'crm%%')"
        "  and (pg_has_role(datdba, 'usage') or (select rolsuper from pg_roles"
        "       where rolname = current_user))",
        (warehouse_database, list(SERVER_DATABASES)),
    ).fetchall()
    for (name,) in rows:
        conn.execute(
            sql.SQL("revoke connect, temporary on database {} from public").format(
                sql.Identifier(name)
            )
        )


def _install_extensions(conn: psycopg.Connection) -> None:
    """What the models use beyond core PostgreSQL (it ships with every server): fuzzystrmatch,
    whose edit distance lets the text dictionary match misspelt words."""
    conn.execute(
        f"create schema if not exists {EXTENSIONS_SCHEMA}; "
        f"create extension if not exists fuzzystrmatch schema {EXTENSIONS_SCHEMA}; "
        f"grant usage on schema {EXTENSIONS_SCHEMA} to transformer"
    )


def _store_pii_salt(conn: psycopg.Connection, settings: Settings) -> None:
    """Keep the salt where only the transformer reads it; generate one for a development
    warehouse, refuse to in production (its hashes must survive a rebuilt warehouse)."""
    conn.execute(
        sql.SQL(
            "create schema if not exists {schema}; "
            "revoke all on schema {schema} from public; "
            "create table if not exists {schema}.pii_salt (salt text not null); "
            "revoke all on {schema}.pii_salt from public; "
            "grant usage on schema {schema} to transformer; "
            "grant select on {schema}.pii_salt to transformer"
        ).format(schema=sql.Identifier(PRIVATE_SCHEMA))
    )
    stored = conn.execute(f"select salt from {PRIVATE_SCHEMA}.pii_salt").fetchone()
    if settings.pii_salt is not None:
        salt = settings.pii_salt.get_secret_value()
    elif stored is not None:
        return
    elif settings.environment == "prod":
        raise WarehouseError("set BEEJAN_PII_SALT to a long secret for the prod environment")
    else:
        salt = secrets.token_hex(32)
    if stored is None or stored[0] != salt:
        conn.execute(f"delete from {PRIVATE_SCHEMA}.pii_salt")
        conn.execute(f"insert into {PRIVATE_SCHEMA}.pii_salt values (%s)", (salt,))


def grant_raw_reading(connection: PostgresConnection, sources: Sequence[str] | None = None) -> bool:
    """Let the transformer read the raw schemas of `sources` (`raw_<source>` and dlt's
    `raw_<source>_staging`), and nobody else (raw holds PII); False when the role does not
    exist yet. Loads call it after each run, as their tables are new.

    GRANT rewrites the catalog row of every table it covers, and a load's DDL on one of them at
    the same moment fails one side or the other ("tuple concurrently updated"). So the caller
    holds the sources' locks (`locks.raw_lock`). Without `sources`, every raw schema whose lock
    is free is granted; one being written now is left to its writer, which grants it when done."""
    with psycopg.connect(connection.dsn(), autocommit=True) as conn:
        if not conn.execute("select 1 from pg_roles where rolname = 'transformer'").fetchone():
            return False
        schemas = [
            schema
            for (schema,) in conn.execute(
                "select nspname from pg_namespace where nspname like %s", (RAW_SCHEMAS,)
            )
        ]
        if sources is not None:
            wanted = {f"raw_{source}{suffix}" for source in sources for suffix in ("", "_staging")}
            for schema in wanted.intersection(schemas):
                _grant_schema_reading(conn, schema)
            return True
        for schema in schemas:
            source = schema.removeprefix("raw_").removesuffix("_staging")
            with warehouse_lock(connection, raw_lock(source), wait=False) as free:
                if free:
                    _grant_schema_reading(conn, schema)
                else:
                    log.info("%s is being written: its writer grants it when done", schema)
    return True


def _grant_schema_reading(conn: psycopg.Connection, schema: str) -> None:
    name = sql.Identifier(schema)
    for statement in (
        "revoke all on schema {} from public",
        "grant usage on schema {} to transformer",
        "grant select on all tables in schema {} to transformer",
    ):
        conn.execute(sql.SQL(statement).format(name))
