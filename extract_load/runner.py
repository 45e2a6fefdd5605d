"""Load one source or all of them, several at once in processes of their own. A source that
fails (unreachable, credentials refused) is reported and the others still load; the caller
decides the exit code from the results."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from datetime import date

import psycopg
from psycopg import sql

from beejan.core.connections import PostgresConnection
from beejan.core.errors import BeejanError
from beejan.core.locks import raw_lock, warehouse_lock
from beejan.core.roles import grant_raw_reading, login_as
from beejan.core.settings import Settings
from extract_load.files import Window
from extract_load.pipeline import LoadResult
from extract_load.quarantine import publish_quarantine_view
from extract_load.registry import ALL_SOURCES, SOURCES
from extract_load.workers import worker_pool

log = logging.getLogger(__name__)


def load_sources(
    names: Sequence[str],
    settings: Settings,
    connection: PostgresConnection,
    *,
    full_refresh: bool = False,
    since: date | None = None,
    until: date | None = None,
    on_result: Callable[[LoadResult], None] | None = None,
    own_processes: bool | None = None,
) -> list[LoadResult]:
    """Load `names`, logged in as the loader role (which owns raw); `connection` is the
    warehouse database as its administrator, and the roles must exist. Several sources load at
    once, each in a process of its own, at most BEEJAN_LOAD_CONCURRENCY at a time: their parsing
    is Python, which one process runs on one core (`own_processes` says whether to, by default
    when several sources may load at once). Loads of one source take turns (a lock in the
    warehouse), whichever process runs them. `on_result` hears of each source as it ends.

    A full refresh reads everything the sources still hold, forgetting cursors and the file
    registry; rows merge on their keys, so raw keeps what a source no longer serves (X's search
    keeps seven days), the quarantine keeps its history, and the views on raw stay."""
    loader = login_as("loader", connection, settings)
    window = Window(since, until, from_scratch=full_refresh)
    jobs = [(name, settings, connection, loader, window) for name in names]
    if own_processes is None:
        own_processes = len(jobs) > 1 and settings.load_concurrency > 1
    if own_processes:
        results = _in_processes(jobs, settings.load_concurrency, on_result)
    else:
        results = []
        for job in jobs:
            results.append(load_one(*job))
            if on_result:
                on_result(results[-1])
    publish_raw(connection, loader, names)
    return results


def load_one(
    name: str,
    settings: Settings,
    connection: PostgresConnection,
    loader: PostgresConnection,
    window: Window,
) -> LoadResult:
    """Load one source; its failure is the result's error, not an exception."""
    event = {"source": name, "step": "load"}
    log.info("loading %s", name, extra=event)
    started = time.monotonic()
    try:
        source = SOURCES.get(name)
        if source is None:
            raise BeejanError(f"unknown source {name!r}; the sources are {', '.join(ALL_SOURCES)}")
        with warehouse_lock(connection, raw_lock(name)):  # its cursors and files
            result = source.load(settings, loader, window)
    except Exception as error:  # one failing source must not stop the others
        result = LoadResult(name, error=explain(error))
        event["duration_s"] = round(time.monotonic() - started, 3)
        log.error("loading %s failed: %s", name, result.error, exc_info=True, extra=event)
    else:
        event |= {
            "duration_s": round(time.monotonic() - started, 3),
            "rows": result.rows,
            "quarantined": result.quarantined,
        }
        log.info("loaded %s: %s", name, result.rows_summary(), extra=event)
    return result


def _in_processes(
    jobs: list[tuple], workers: int, on_result: Callable[[LoadResult], None] | None
) -> list[LoadResult]:
    """`load_one(*job)` for every job, in at most `workers` processes. A process that dies
    (killed, out of memory) fails its source; what it was loading is finished by the next run,
    as after any interrupted load."""
    done: dict[str, LoadResult] = {}
    with worker_pool(min(workers, len(jobs)), preload=__name__) as pool:
        futures = {pool.submit(load_one, *job): job[0] for job in jobs}
        for future in as_completed(futures):
            name = futures[future]
            try:
                done[name] = future.result()
            except Exception as error:  # the process itself failed
                log.error("loading %s failed: %s", name, error, extra={"source": name})
                done[name] = LoadResult(name, error=f"its load process failed: {error}")
            if on_result:
                on_result(done[name])
    return [done[job[0]] for job in jobs]


def publish_raw(
    connection: PostgresConnection, loader: PostgresConnection, sources: Sequence[str]
) -> None:
    """After loads of `sources`: the transformer's grants, the quarantine views and planner
    statistics, each under the lock of the schema it changes. On the spark engine only the
    CRM's schema is in the warehouse (dbt registers the lake's tables in Spark)."""
    for name in sources:
        with warehouse_lock(connection, raw_lock(name)):
            grant_raw_reading(connection, [name])
            refresh_statistics(connection, [f"raw_{name}"])
    with warehouse_lock(connection, raw_lock("quarantine")):  # a view over every source
        publish_quarantine_view(loader)
        grant_raw_reading(connection, ["quarantine"])
        refresh_statistics(connection, ["raw_quarantine"])


def refresh_statistics(connection: PostgresConnection, schemas: Sequence[str]) -> None:
    """ANALYZE the tables of `schemas`. Autovacuum gets there minutes later; until then the
    planner sees fresh rows as nearly empty tables, and dbt's joins through the staging views
    picked nested loops that ran for many minutes instead of a second. The other sources' raw
    tables did not change."""
    with psycopg.connect(connection.dsn(), autocommit=True) as conn:
        tables = conn.execute(
            "select schemaname, tablename from pg_tables where schemaname = any(%s)",
            (list(schemas),),
        ).fetchall()
        for schema, table in tables:
            conn.execute(sql.SQL("analyze {}").format(sql.Identifier(schema, table)))


def explain(error: BaseException) -> str:
    """The most useful line: our own error's message wherever dlt wrapped it, else the
    innermost cause (a database's own words, not the wrapper's "with exception:")."""
    chain = []
    cause: BaseException | None = error
    while cause is not None and cause not in chain:
        if isinstance(cause, BeejanError):
            return str(cause)
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    innermost = chain[-1]
    lines = [line.strip() for line in str(innermost).splitlines() if line.strip()]
    return f"{type(innermost).__name__}: {lines[0] if lines else 'no message'}"
