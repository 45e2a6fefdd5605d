"""Load one source or all of them. A source that fails (unreachable, credentials refused) is
reported and the others still load; the caller decides the exit code from the results."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time

import dlt
import psycopg
from psycopg import sql

from beejan.core.connections import PostgresConnection
from beejan.core.errors import BeejanError, SourceError
from beejan.core.roles import ensure_roles, grant_raw_reading, login_as
from beejan.core.settings import Settings
from extract_load.pipeline import LoadResult, run_source
from extract_load.quarantine import QUARANTINE_DATASET, Quarantine

log = logging.getLogger(__name__)

DLT_SOURCES = ("social", "sms", "call_center", "web_forms")
ALL_SOURCES = (*DLT_SOURCES, "crm")


def _build(
    name: str, settings: Settings, quarantine: Quarantine, since: date | None, until: date | None
) -> dlt.sources.DltSource:
    """The dlt source of one system, configured from settings (and a backfill range)."""
    start = datetime.combine(since, time.min, UTC) if since else None
    end = datetime.combine(until, time.max, UTC) if until else None
    if name == "social":
        from extract_load.social import social_source

        return social_source(
            settings.social_api_base,
            settings.social_bearer_token.get_secret_value(),
            settings.social_query,
            quarantine,
            start,
            end,
        )
    if name == "sms":
        from extract_load.sms import sms_source

        return sms_source(
            settings.sms_api_base,
            settings.sms_account_sid,
            settings.sms_auth_token.get_secret_value(),
            settings.sms_short_code,
            quarantine,
            start,
            end,
        )
    if name == "call_center":
        from extract_load.call_center import call_center_source

        return call_center_source(settings.landing_path / "call_center", quarantine, start, end)
    if name == "web_forms":
        from extract_load.web_forms import web_forms_source

        return web_forms_source(settings.landing_path / "web_forms", quarantine, start, end)
    raise SourceError(f"unknown source {name!r}; the sources are {', '.join(ALL_SOURCES)}")


def load_sources(
    names: Sequence[str],
    settings: Settings,
    connection: PostgresConnection,
    *,
    full_refresh: bool = False,
    since: date | None = None,
    until: date | None = None,
    on_result: Callable[[LoadResult], None] | None = None,
) -> list[LoadResult]:
    """Load `names` one after the other; with BEEJAN_LOADER_PASSWORD set the loaders log in as
    the loader role (which then owns raw), otherwise as `connection`."""
    admin = connection
    if loader := login_as("loader", admin, settings):
        ensure_roles(admin, settings)
        connection = loader
    results = []
    for name in names:
        log.info("loading %s", name)
        try:
            if name == "crm":
                from extract_load.crm import load_crm

                result = load_crm(settings, connection, full_refresh=full_refresh)
            else:
                quarantine = Quarantine(name)
                source = _build(name, settings, quarantine, since, until)
                result = run_source(name, source, quarantine, connection, settings, full_refresh)
        except Exception as error:  # one failing source must not stop the others
            result = LoadResult(name, error=_explain(error))
            log.debug("loading %s failed", name, exc_info=True)
        results.append(result)
        if on_result:
            on_result(result)
    refresh_statistics(admin, [f"raw_{name}" for name in names] + [QUARANTINE_DATASET])
    grant_raw_reading(admin)
    return results


def refresh_statistics(connection: PostgresConnection, schemas: list[str]) -> None:
    """ANALYZE the tables just loaded. Autovacuum gets there minutes later; until then the
    planner sees the fresh rows as nearly empty tables, and dbt's joins through the staging
    views picked nested loops that ran for many minutes instead of a second."""
    with psycopg.connect(connection.dsn(), autocommit=True) as conn:
        tables = conn.execute(
            "select schemaname, tablename from pg_tables where schemaname = any(%s)", (schemas,)
        ).fetchall()
        for schema, table in tables:
            conn.execute(sql.SQL("analyze {}").format(sql.Identifier(schema, table)))


def _explain(error: BaseException) -> str:
    """The most useful line: our own error's message, wherever dlt wrapped it."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, BeejanError):
            return str(cause)
        cause = cause.__cause__ or cause.__context__
    return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
