"""The scheduled production run as a Prefect flow: load every source (one task each, retried),
then `dbt build`. Every run leaves a row in `audit.pipeline_runs`; a failed run posts an alert.

A source that still fails after its retries does not stop the others or the build (the marts
then miss only its new records); the run ends failed and says which sources failed.
"""

from __future__ import annotations

from collections.abc import Sequence

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State
from prefect.deployments.runner import RunnerDeployment
from prefect.runtime import flow_run
from prefect.schedules import Cron

from beejan.core.connections import PostgresConnection
from beejan.core.errors import BeejanError, SourceError
from beejan.core.roles import ensure_roles
from beejan.core.settings import Settings, get_settings
from beejan.core.warehouse import warehouse_connection
from beejan.dbt_runner import DbtError, run_dbt
from extract_load.pipeline import LoadResult
from extract_load.registry import ALL_SOURCES
from extract_load.runner import load_sources
from flows import audit
from flows.alerts import alert_on_failure


@task(task_run_name="load {source}", cache_policy=NO_CACHE)
def load_source(source: str, settings: Settings, connection: PostgresConnection) -> LoadResult:
    """Land one source raw; raising makes Prefect retry it."""
    [result] = load_sources([source], settings, connection)
    if result.error:
        raise SourceError(f"{source}: {result.error}")
    logger = get_run_logger()
    logger.info("%s loaded: %s", source, result.rows_summary())
    for reason, count in sorted(result.quarantined.items()):
        logger.warning("%s quarantined %d records: %s", source, count, reason)
    return result


@task(task_run_name="dbt build", cache_policy=NO_CACHE)
def build_models(settings: Settings, connection: PostgresConnection) -> None:
    run_dbt(["build"], connection, settings)


@flow(
    name="beejan-warehouse",
    description="Load the five complaint sources raw, then build and test the dbt project.",
    on_failure=[alert_on_failure],
    on_crashed=[alert_on_failure],
)
def warehouse_pipeline(sources: Sequence[str] = ALL_SOURCES) -> dict[str, dict]:
    """Returns what each source loaded (rows, quarantined records by reason, error)."""
    settings = get_settings()
    connection = warehouse_connection(settings)
    ensure_roles(connection, settings)
    run_id = str(flow_run.id)
    audit.start(connection, run_id, list(sources))
    loader = load_source.with_options(
        retries=settings.load_retries, retry_delay_seconds=settings.load_retry_delay_seconds
    )
    results: dict[str, dict] = {}
    failures: list[str] = []
    try:
        for source in sources:
            state = loader(source, settings, connection, return_state=True)
            results[source] = outcome(state)
        failed = [source for source, result in results.items() if result["error"]]
        if failed:
            failures.append(f"sources failed after retries: {', '.join(failed)}")
        try:
            build_models(settings, connection)
        except DbtError as error:
            failures.append(str(error))
    except BaseException as error:
        audit.finish(connection, run_id, "failed", results, "; ".join([*failures, str(error)]))
        raise
    message = "; ".join(failures) or None
    audit.finish(connection, run_id, "failed" if failures else "completed", results, message)
    if failures:
        raise PipelineFailed(message)
    return results


class PipelineFailed(BeejanError):
    """Some stages of a run failed; the message names every one of them."""


def outcome(state: State) -> dict:
    """What the audit keeps of one source's load."""
    if not state.is_completed():
        return {"rows": None, "quarantined": None, "error": state.message}
    result: LoadResult = state.result()
    return {"rows": result.rows, "quarantined": dict(result.quarantined), "error": None}


def scheduled_deployment(settings: Settings) -> RunnerDeployment:
    """The flow on its schedule (BEEJAN_SCHEDULE_CRON in BEEJAN_SCHEDULE_TIMEZONE); one run at
    a time, since two runs would load the same sources at once."""
    return warehouse_pipeline.to_deployment(
        name="scheduled",
        schedules=[Cron(settings.schedule_cron, timezone=settings.schedule_timezone)],
        concurrency_limit=1,
    )
