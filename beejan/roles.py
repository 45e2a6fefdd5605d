"""The warehouse roles (see ARCHITECTURE.md): who may write raw, build models, read marts.

- loader: writes raw_* and the quarantine;
- transformer: reads raw_*, owns what dbt builds;
- reporter: reads marts only (dbt `grants` give it each mart; it never sees raw or staging).

A role whose password setting (BEEJAN_<ROLE>_PASSWORD) is set can log in with it; otherwise
it exists without login, ready for grants. Running this again is harmless.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from beejan.settings import PostgresConnection, Settings

ROLES = ("loader", "transformer", "reporter")


def ensure_roles(connection: PostgresConnection, settings: Settings) -> list[str]:
    """Create the missing roles and set their passwords; returns the roles that can log in."""
    passwords = {
        "loader": settings.loader_password,
        "transformer": settings.transformer_password,
        "reporter": settings.reporter_password,
    }
    can_log_in = []
    with psycopg.connect(connection.dsn(), autocommit=True) as conn:
        for role in ROLES:
            name = sql.Identifier(role)
            if not conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone():
                conn.execute(sql.SQL("create role {}").format(name))
            secret = passwords[role]
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
    return can_log_in
