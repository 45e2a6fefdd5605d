"""The one pipeline, as a Prefect flow: load the sources (one task each, at most
BEEJAN_LOAD_CONCURRENCY at a time, retried), build and test what they feed with dbt (one task
per model, seed, snapshot and test), write the complaint report, then raise the threshold
alerts. Every run leaves a row in `audit.pipeline_runs`; a failed run alerts, naming every
source and the build that failed.

Two deployments run it: the daily batch (every source, the whole project) and the near-real-time
lane (social and SMS every few minutes, and only the models downstream of them). Runs that
overlap take turns where they share state: a source's load, and the dbt build, are each held by
a lock in the warehouse.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import date, timedelta
from typing import NamedTuple

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State
from prefect.deployments.runner import RunnerDeployment
from prefect.runtime import flow_run
from prefect.schedules import Cron, Interval
from prefect.task_runners import ThreadPoolTaskRunner
from prefect_dbt import PrefectDbtRunner, PrefectDbtSettings

from beejan.core.connections import PostgresConnection
from beejan.core.errors import BeejanError, SourceError
from beejan.core.logs import ensure_log_file
from beejan.core.roles import ensure_roles
from beejan.core.settings import Settings, get_settings
from beejan.core.warehouse import warehouse_connection
from beejan.dbt_runner import DBT_PROJECT_DIR, DbtError, dbt_artifacts, dbt_session, succeeded
from extract_load.pipeline import LoadResult
from extract_load.registry import ALL_SOURCES
from extract_load.runner import load_sources
from flows import audit
from flows.alerts import alert_on_failure
from flows.thresholds import raise_threshold_alerts
from serving.marts import Marts
from serving.report import write_report

NEAR_REAL_TIME_SOURCES = ("social", "sms")
SPARK_SERVES_NO_REPORT = (
    "no report on the spark engine: the report, the read API and the outage alerts read the "
    "marts in PostgreSQL (README: One dbt project, two engines)"
)
log = logging.getLogger(__name__)


class Days(NamedTuple):
    """The days a run re-reads (none: whatever is new)."""

    since: date | None = None
    until: date | None = None


WHATEVER_IS_NEW = Days()


class PipelineFailed(BeejanError):
    """Some stages of a run failed; the message names every one of them."""


@task(task_run_name="load {source}", cache_policy=NO_CACHE)
def load_source(
    source: str, settings: Settings, connection: PostgresConnection, days: Days
) -> LoadResult:
    """Land one source raw, in a process of its own when sources load at once (their parsing
    needs a core each, which threads do not get); raising makes Prefect retry it."""
    [result] = load_sources(
        [source],
        settings,
        connection,
        since=days.since,
        until=days.until,
        own_processes=settings.load_concurrency > 1,
    )
    if result.error:
        raise SourceError(f"{source}: {result.error}")
    logger = get_run_logger()
    logger.info("%s loaded: %s", source, result.rows_summary())
    for reason, count in sorted(result.quarantined.items()):
        logger.warning("%s quarantined %d records: %s", source, count, reason)
    return result


def build_models(selection: list[str], connection: PostgresConnection, settings: Settings) -> None:
    """`dbt build` through prefect-dbt: every model, seed, snapshot and test its own task."""
    args = ["build", *selection]
    event = {"step": "build", "selection": " ".join(selection) or "all"}
    started = time.monotonic()
    try:
        with dbt_session(connection, settings) as profiles_dir:
            runner = PrefectDbtRunner(
                settings=PrefectDbtSettings(
                    project_dir=DBT_PROJECT_DIR,
                    profiles_dir=profiles_dir,
                    target_path=dbt_artifacts(settings),
                ),
                raise_on_failure=False,  # succeeded() names the failed nodes
            )
            try:
                result = runner.invoke(args)
            except ValueError as error:  # the invocation itself failed (prefect-dbt's wording)
                raise DbtError(str(error).strip().splitlines()[0]) from error
        succeeded(args, result)
    except DbtError as error:
        event["duration_s"] = round(time.monotonic() - started, 3)
        log.error("dbt build failed: %s", error, exc_info=True, extra=event)
        raise
    event["duration_s"] = round(time.monotonic() - started, 3)
    log.info("dbt build finished", extra=event)


@task(task_run_name="publish report", cache_policy=NO_CACHE)
def publish_report(connection: PostgresConnection, settings: Settings) -> None:
    """Rewrite the complaint report from the marts just built (as the reporter role)."""
    with Marts(connection, settings) as marts:
        data = write_report(marts, settings.report_path, settings.report_days)
    get_run_logger().info("report written to %s (window %s)", settings.report_path, data.window)


def build_selection(sources: Sequence[str]) -> list[str]:
    """dbt's selection for the sources loaded: everything after a batch of every source, the
    models downstream of the sources otherwise."""
    if set(sources) >= set(ALL_SOURCES):
        return []
    return ["--select", " ".join(f"source:{source}+" for source in sources)]


@flow(
    name="beejan-warehouse",
    description="Load the complaint sources raw, then build and test what they feed.",
    on_failure=[alert_on_failure],
    on_crashed=[alert_on_failure],
    task_runner=ThreadPoolTaskRunner(max_workers=16),
)
def warehouse_pipeline(
    sources: Sequence[str] = ALL_SOURCES,
    since: date | None = None,
    until: date | None = None,
    settings: Settings | None = None,
) -> dict[str, dict]:
    """Returns what each source loaded (rows, quarantined records by reason, error). `since`
    and `until` re-read those days only (a manual re-run: the loads merge, so days that did
    not change add nothing)."""
    settings = settings or get_settings()
    ensure_log_file(settings)  # a deployment's run is a process the CLI did not start
    connection = warehouse_connection(settings)
    ensure_roles(connection, settings)  # once per run; loads and builds log in as their roles
    run_id = str(flow_run.id)
    audit.start(connection, run_id, list(sources))
    results: dict[str, dict] = {}
    failures: list[str] = []
    try:
        results = load_all(sources, settings, connection, Days(since, until))
        failed = [source for source, result in results.items() if result["error"]]
        if failed:
            failures.append(f"sources failed after retries: {', '.join(failed)}")
        try:
            build_models(build_selection(sources), connection, settings)
        except DbtError as error:
            failures.append(str(error))
        else:  # a failed build may leave the marts half new: the last report stays up instead
            if not settings.on_lake:
                try:
                    publish_report(connection, settings)
                except BeejanError as error:
                    failures.append(f"report: {error}")
            else:
                get_run_logger().warning(SPARK_SERVES_NO_REPORT)
        raise_threshold_alerts(connection, settings, run_id, results)
    except BaseException as error:
        audit.finish(connection, run_id, "failed", results, "; ".join([*failures, str(error)]))
        raise
    message = "; ".join(failures) or None
    audit.finish(connection, run_id, "failed" if failures else "completed", results, message)
    if failures:
        raise PipelineFailed(message)
    return results


def load_all(
    sources: Sequence[str],
    settings: Settings,
    connection: PostgresConnection,
    days: Days = WHATEVER_IS_NEW,
) -> dict[str, dict]:
    """Every source at once (at most BEEJAN_LOAD_CONCURRENCY); one failing stops no other."""
    loader = load_source.with_options(
        retries=settings.load_retries, retry_delay_seconds=settings.load_retry_delay_seconds
    )
    pending = list(sources)
    states: dict[str, State] = {}
    while pending:  # in waves of the allowed size
        wave, pending = pending[: settings.load_concurrency], pending[settings.load_concurrency :]
        futures = {source: loader.submit(source, settings, connection, days) for source in wave}
        for source, future in futures.items():
            future.wait()
            states[source] = future.state
    return {source: outcome(states[source]) for source in sources}


def outcome(state: State) -> dict:
    """What the audit keeps of one source's load."""
    if not state.is_completed():
        return {"rows": None, "quarantined": None, "error": state.message}
    result: LoadResult = state.result()
    return {"rows": result.rows, "quarantined": dict(result.quarantined), "error": None}


def batch_deployment(settings: Settings) -> RunnerDeployment:
    """Every source and the whole project, on BEEJAN_SCHEDULE_CRON in BEEJAN_SCHEDULE_TIMEZONE;
    one run at a time."""
    return warehouse_pipeline.to_deployment(
        name="batch",
        schedules=[Cron(settings.schedule_cron, timezone=settings.schedule_timezone)],
        concurrency_limit=1,
    )


def near_real_time_deployment(settings: Settings) -> RunnerDeployment:
    """Social and SMS every BEEJAN_NEAR_REAL_TIME_MINUTES, and the models downstream of them;
    one run at a time."""
    return warehouse_pipeline.to_deployment(
        name="near-real-time",
        schedules=[Interval(timedelta(minutes=settings.near_real_time_minutes))],
        parameters={"sources": list(NEAR_REAL_TIME_SOURCES)},
        concurrency_limit=1,
    )
