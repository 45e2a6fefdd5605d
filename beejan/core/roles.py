"""The warehouse roles (see ARCHITECTURE.md): who may write raw, build models, read marts.

- loader: writes raw_* and the quarantine;
- transformer: reads raw_*, owns what dbt builds (dbt logs in as it once it has a password);
- reporter: reads marts only (dbt `grants` give it each mart; it never sees raw or staging).

A role whose password setting (BEEJAN_<ROLE>_PASSWORD) is set can log in with it; otherwise
it exists without login, ready for grants. Running this again is harmless.
"""

from __future__ import annotations

import psycopg
from psycopg import sql
from pydantic import SecretStr

from beejan.core.connections import PostgresConnection
from beejan.core.settings import Settings

ROLES = ("loader", "transformer", "reporter")
RAW_SCHEMAS = r"raw\_%"  # every schema a loader writes, the quarantine included


def role_passwords(settings: Settings) -> dict[str, SecretStr | None]:
    return {
        "loader": settings.loader_password,
        "transformer": settings.transformer_password,
        "reporter": settings.reporter_password,
    }


def ensure_roles(connection: PostgresConnection, settings: Settings) -> list[str]:
    """Create the missing roles, set their passwords and let the transformer read raw; returns
    the roles that can log in."""
    can_log_in = []
    with psycopg.connect(connection.dsn(), autocommit=True) as conn:
        for role, secret in role_passwords(settings).items():
            name = sql.Identifier(role)
            if not conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone():
                conn.execute(sql.SQL("create role {}").format(name))
            if secret is None:
                conn.execute(sql.SQL("alter role {} nologin").format(name))
                continue
            conn.execute(
                sql.SQL("alter role {} login password {}").format(
                    name, sql.Literal(secret.get_secret_value())
                )
            )
            can_log_in.append(role)
        database = sql.Identifier(connection.database)
        conn.execute(
            sql.SQL("grant connect on database {} to loader, transformer, reporter").format(
                database
            )
        )
        conn.execute(sql.SQL("grant create on database {} to loader, transformer").format(database))
    grant_raw_reading(connection)
    return can_log_in


def grant_raw_reading(connection: PostgresConnection) -> bool:
    """Let the transformer read every raw schema, and nobody else (raw holds PII); False when
    the role does not exist yet. Loads call it after each run, as their tables are new."""
    with psycopg.connect(connection.dsn(), autocommit=True) as conn:
        if not conn.execute("select 1 from pg_roles where rolname = 'transformer'").fetchone():
            return False
        schemas = conn.execute(
            "select nspname from pg_namespace where nspname like %s", (RAW_SCHEMAS,)
        ).fetchall()
        for (schema,) in schemas:
            name = sql.Identifier(schema)
            for statement in (
                "revoke all on schema {} from public",
                "grant usage on schema {} to transformer",
                "grant select on all tables in schema {} to transformer",
            ):
                conn.execute(sql.SQL(statement).format(name))
    return True


def login_as(
    role: str, connection: PostgresConnection, settings: Settings
) -> PostgresConnection | None:
    """The connection as `role`, when its password is set; None otherwise."""
    secret = role_passwords(settings)[role]
    if secret is None:
        return None
    return connection.as_login(role, secret.get_secret_value())
