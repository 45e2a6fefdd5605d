"""The run-audit trail: one row per flow run in `audit.pipeline_runs`, written by the flow as it
starts and ends, so a run that dies half-way still shows as `running` with its start time; and
every threshold alert a run raised, in `audit.alerts` (flows/thresholds.py)."""

from __future__ import annotations

import psycopg
from psycopg.types.json import Jsonb

from beejan.core.connections import PostgresConnection

DDL = """
create schema if not exists audit;
create table if not exists audit.pipeline_runs (
    run_id text primary key,
    started_at timestamptz not null,
    finished_at timestamptz,
    status text not null check (status in ('running', 'completed', 'failed')),
    sources text[] not null,
    source_results jsonb,
    message text
);
create table if not exists audit.alerts (
    run_id text not null,
    kind text not null,
    subject text not null,
    message text not null,
    sent_at timestamptz not null default now(),
    primary key (run_id, kind, subject)
);
-- dbt models the audit, logged in as the transformer role
grant usage on schema audit to transformer;
grant select on audit.pipeline_runs, audit.alerts to transformer
"""


def start(connection: PostgresConnection, run_id: str, sources: list[str]) -> None:
    """Record a run as running (again, when Prefect retries the flow run)."""
    with psycopg.connect(connection.dsn(), autocommit=True) as conn:
        conn.execute(DDL)
        conn.execute(
            "insert into audit.pipeline_runs (run_id, started_at, status, sources) "
            "values (%s, now(), 'running', %s) on conflict (run_id) do update "
            "set started_at = now(), status = 'running', finished_at = null, message = null",
            (run_id, sources),
        )


def finish(
    connection: PostgresConnection,
    run_id: str,
    status: str,
    source_results: dict[str, dict],
    message: str | None,
) -> None:
    with psycopg.connect(connection.dsn(), autocommit=True) as conn:
        conn.execute(
            "update audit.pipeline_runs set finished_at = now(), status = %s, "
            "source_results = %s, message = %s where run_id = %s",
            (status, Jsonb(source_results), message, run_id),
        )
