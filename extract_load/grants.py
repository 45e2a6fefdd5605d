"""The grant hook of the raw layer: raw schemas hold PII, so only the loader (which owns what it
writes) and the transformer (which reads it for dbt) may see them. The roles themselves are
created with the warehouse roles; until they exist this hook has nothing to grant."""

from __future__ import annotations

import psycopg
from psycopg import sql

from beejan.settings import PostgresConnection

TRANSFORMER_ROLE = "transformer"


def apply_raw_grants(connection: PostgresConnection, schemas: list[str]) -> bool:
    """Let the transformer read `schemas`, and nobody else; False when the role does not exist."""
    with psycopg.connect(connection.dsn(), autocommit=True) as conn:
        if not conn.execute(
            "select 1 from pg_roles where rolname = %s", (TRANSFORMER_ROLE,)
        ).fetchone():
            return False
        for schema in schemas:
            if not conn.execute(
                "select 1 from pg_namespace where nspname = %s", (schema,)
            ).fetchone():
                continue
            names = {"schema": sql.Identifier(schema), "role": sql.Identifier(TRANSFORMER_ROLE)}
            for statement in (
                "revoke all on schema {schema} from public",
                "grant usage on schema {schema} to {role}",
                "grant select on all tables in schema {schema} to {role}",
            ):
                conn.execute(sql.SQL(statement).format(**names))
    return True
