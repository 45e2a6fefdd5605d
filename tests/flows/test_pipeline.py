"""The Prefect flow on the simulator: a real (temporary) Prefect server, the real loaders, real
dbt through prefect-dbt, and real HTTP and SMTP endpoints for the alerts."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from datetime import date
from pathlib import Path
from uuid import UUID

import psycopg
import pytest
from prefect import flow
from prefect.client.orchestration import get_client

from beejan.core.connections import PostgresConnection
from beejan.core.roles import ensure_roles, generated_passwords_file
from beejan.core.settings import Settings, get_settings
from beejan.dbt_runner import dbt_artifacts, run_dbt
from extract_load.registry import ALL_SOURCES
from extract_load.runner import load_sources
from flows.pipeline import (
    NEAR_REAL_TIME_SOURCES,
    batch_deployment,
    load_all,
    near_real_time_deployment,
    warehouse_pipeline,
)
from simulator.fixtures import ScenarioFactory
from simulator.live import LiveScenario
from tests.conftest import BEEJAN, create_database, drop_database
from tests.dbt.steps import LOADER, TRANSFORMER
from tests.prefect_api import task_runs

pytestmark = pytest.mark.slow


@pytest.fixture
def sources(
    prefect_server: str,
    make_scenario: ScenarioFactory,
    project_env: PostgresConnection,
    monkeypatch: pytest.MonkeyPatch,
) -> LiveScenario:
    """One simulated day; a failed load is retried once, at once."""
    live = make_scenario(days=1)
    retry_fast = {"BEEJAN_LOAD_RETRIES": "1", "BEEJAN_LOAD_RETRY_DELAY_SECONDS": "0"}
    for name, value in {**live.env, **retry_fast, "BEEJAN_ENVIRONMENT": "ci"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return live


def audit_rows(warehouse: PostgresConnection) -> list[tuple]:
    with psycopg.connect(warehouse.dsn()) as conn:
        return conn.execute(
            "select status, source_results, message, finished_at is not null "
            "from audit.pipeline_runs order by started_at"
        ).fetchall()


def contacts_per_channel(warehouse: PostgresConnection) -> dict[str, int]:
    with psycopg.connect(warehouse.dsn()) as conn:
        return dict(
            conn.execute(
                "select channel, count(*) from ci_marts.fct_complaint_contacts group by 1"
            ).fetchall()
        )


def task_run_names(flow_run_id: UUID) -> list[str]:
    return [task_run.name for task_run in task_runs(flow_run_id)]


def build_without_the_flow(warehouse: PostgresConnection) -> None:
    """What earlier days left: everything loaded and built (set-up, not what is tested)."""
    settings = get_settings()
    ensure_roles(warehouse, settings)
    load_sources(ALL_SOURCES, settings, warehouse)
    run_dbt(["build"], warehouse, settings)


def test_a_failing_source_is_retried_alerted_and_audited_while_the_rest_builds(
    sources: LiveScenario, project_env, webhook, mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A day after a good build the SMS API is down: the other sources load and the marts build
    (SMS keeps yesterday's contacts), the run fails, says why, and alerts by webhook and email;
    the call centre quarantined more than the threshold allows, which alerts too."""
    build_without_the_flow(project_env)
    before = contacts_per_channel(project_env)
    sources.advance(1)
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    monkeypatch.setenv("BEEJAN_SMS_API_BASE", f"http://127.0.0.1:{closed_port}")
    monkeypatch.setenv("BEEJAN_ALERT_QUARANTINE_THRESHOLD", "0")
    for name, value in {**webhook.env, **mailbox.env}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()

    state = warehouse_pipeline(return_state=True)

    assert state.is_failed()
    [(status, results, message, finished)] = audit_rows(project_env)
    assert (status, message, finished) == ("failed", "sources failed after retries: sms", True)
    assert "SMS API is unreachable" in results["sms"]["error"]
    assert all(results[source]["error"] is None for source in ALL_SOURCES if source != "sms")
    after = contacts_per_channel(project_env)
    assert after["sms"] == before["sms"]
    assert after["web_form"] > before["web_form"]  # the day's other sources still landed
    names = task_run_names(state.state_details.flow_run_id)
    assert names.count("load sms") == 1 and names.count("load social") == 1
    loads = {run.name: run for run in task_runs(state.state_details.flow_run_id)}
    assert loads["load sms"].run_count == 2  # the first try and one retry
    # the other loads succeed at once: a retry would hide what the first try landed
    retried = {
        name: run.state.message
        for name, run in loads.items()
        if name.startswith("load ") and name != "load sms" and run.run_count != 1
    }
    assert not retried

    log_text = (Path(os.environ["BEEJAN_DATA_DIR"]) / "logs" / "beejan.jsonl").read_text()
    events = [json.loads(line) for line in log_text.splitlines()]
    [failed_load, *_] = [e for e in events if e.get("source") == "sms" and e["level"] == "ERROR"]
    assert failed_load["step"] == "load" and "SMS API is unreachable" in failed_load["message"]
    assert "Traceback" in failed_load["exc_info"]
    assert any(e.get("step") == "build" and "duration_s" in e for e in events)
    secrets = [
        project_env.password,
        *json.loads(generated_passwords_file(get_settings()).read_text()).values(),
    ]
    secrets += [value for name, value in sources.env.items() if "TOKEN" in name]
    assert len(secrets) >= 5 and not [secret for secret in secrets if secret in log_text]

    quarantined = sum(results["call_center"]["quarantined"].values())
    assert quarantined > 0  # the simulator cuts lines off; otherwise this proves nothing
    for received in (webhook.texts(), mailbox.texts()):
        [failure] = [text for text in received if "run" in text and "failed" in text]
        assert "sources failed after retries: sms" in failure
        [threshold] = [text for text in received if "call_center" in text]
        assert f"quarantined {quarantined} records" in threshold
        assert "threshold of 0" in threshold


def test_the_alert_names_every_failed_source_and_the_failed_build(
    sources: LiveScenario, project_env, webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CRM is unreachable on the very first run, so raw_crm never appears and the build
    fails too: one alert names both."""
    monkeypatch.setenv("BEEJAN_CRM_DSN", "postgresql://nobody:x@127.0.0.1:9/crm")
    for name, value in webhook.env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()

    state = warehouse_pipeline(return_state=True)

    assert state.is_failed()
    [(status, _, message, _)] = audit_rows(project_env)
    assert status == "failed"
    assert message.startswith("sources failed after retries: crm; dbt build failed:")
    [alert] = [text for text in webhook.texts() if "failed" in text]
    assert "crm" in alert and "dbt build failed" in alert


def test_a_manual_rerun_of_one_source_and_day_adds_nothing_and_builds_only_downstream(
    sources: LiveScenario, project_env: PostgresConnection
) -> None:
    build_without_the_flow(project_env)
    before = raw_rows(project_env)
    day = date.fromisoformat(sources.scenario.config.start)

    state = warehouse_pipeline(["web_forms"], since=day, until=day, return_state=True)

    assert state.is_completed(), state.message
    [(status, results, _, _)] = audit_rows(project_env)
    assert status == "completed" and sum(results["web_forms"]["rows"].values()) > 0  # re-read
    assert raw_rows(project_env) == before
    run_results = dbt_artifacts(Settings(_env_file=None)) / "run_results.json"
    built = built_nodes(json.loads(run_results.read_text()))
    assert built and built <= downstream_of("source:web_forms+", project_env)
    assert "model.beejan_warehouse.stg_web_forms__submissions" in built
    assert not any(".stg_social__" in node or ".stg_sms__" in node for node in built)


def built_nodes(run_results: dict) -> set[str]:
    """The nodes a build ran, without the project's on-run-end hook (it runs with any selection)."""
    return {
        result["unique_id"]
        for result in run_results["results"]
        if not result["unique_id"].startswith("operation.")
    }


def downstream_of(selection: str, warehouse: PostgresConnection) -> set[str]:
    listed = run_dbt(
        ["--quiet", "ls", "--select", selection, "--output", "json", "--output-keys", "unique_id"],
        warehouse,
    ).result
    return {json.loads(line)["unique_id"] for line in listed}


def raw_rows(warehouse: PostgresConnection) -> dict[str, tuple[int, str]]:
    """Per raw table: its rows and a digest of their contents, leaving out what differs
    between two loads of the same data (load ids, load times)."""
    digests = {}
    with psycopg.connect(warehouse.dsn()) as conn:
        tables = conn.execute(
            """
            select table_schema, table_name,
                string_agg(format('%I', column_name), ', ' order by column_name)
            from information_schema.columns
            where table_schema like 'raw\\_%' and table_schema not like '%\\_staging'
                and table_name not like '\\_dlt%' and column_name not like '\\_%'
                and column_name not in ('quarantined_at', 'read_at')
            group by 1, 2
            """
        ).fetchall()
        for schema, table, columns in tables:
            digests[f"{schema}.{table}"] = conn.execute(
                f"select count(*), md5(coalesce(string_agg(row_text, '|' order by row_text), '')) "
                f"from (select row({columns})::text as row_text from {schema}.{table}) as rows"
            ).fetchone()
    return digests


def test_loading_the_sources_at_once_lands_the_rows_a_sequential_load_lands(
    prefect_server: str,
    make_scenario: ScenarioFactory,
    warehouse: PostgresConnection,
    tmp_path: Path,
) -> None:
    live = make_scenario(days=2, scale=60)
    settings = {
        mode: Settings(
            _env_file=None,
            **{key.removeprefix("BEEJAN_").lower(): value for key, value in live.env.items()},
            data_dir=tmp_path / mode,
            load_concurrency=1 if mode == "sequential" else len(ALL_SOURCES),
            # roles belong to the server: both databases' loaders log in with one password
            loader_password=LOADER,
            transformer_password=TRANSFORMER,
        )
        for mode in ("sequential", "concurrent")
    }
    databases = {mode: create_database(warehouse, f"load_{mode}") for mode in settings}
    try:
        for mode, database in databases.items():
            ensure_roles(database, settings[mode])
        load_sources(ALL_SOURCES, settings["sequential"], databases["sequential"])

        @flow
        def concurrent_load() -> dict[str, dict]:
            return load_all(ALL_SOURCES, settings["concurrent"], databases["concurrent"])

        results = concurrent_load()
        assert all(result["error"] is None for result in results.values()), results
        sequential, concurrent = (raw_rows(databases[mode]) for mode in settings)
    finally:
        for database in databases.values():
            drop_database(warehouse, database.database)
    assert len(sequential) >= 10
    assert concurrent == sequential


def test_the_near_real_time_lane_builds_only_downstream_of_social_and_sms_beside_a_batch(
    sources: LiveScenario, project_env: PostgresConnection, prefect_server: str
) -> None:
    """The near-real-time deployment's run loads social and SMS and builds only what they feed
    (dbt's run results say so); a batch run started at the same time, in another process,
    waits for the locks it shares and both runs complete without corrupting the other."""
    build_without_the_flow(project_env)
    sources.advance(1)
    env = {**os.environ, "PREFECT_API_URL": prefect_server}
    batch = subprocess.Popen(
        [BEEJAN, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        state = warehouse_pipeline(list(NEAR_REAL_TIME_SOURCES), return_state=True)
        artifacts = dbt_artifacts(Settings(_env_file=None))
        run_results = json.loads((artifacts / "run_results.json").read_text())
        batch_output, _ = batch.communicate(timeout=1200)
    finally:
        batch.kill()
    assert state.is_completed(), state.message
    assert batch.returncode == 0, batch_output[-3000:]

    assert "source:social+ source:sms+" in " ".join(run_results["args"]["select"])
    built = built_nodes(run_results)
    assert built and built <= downstream_of("source:social+ source:sms+", project_env)
    assert not any(node.startswith("snapshot.") or ".stg_crm__" in node for node in built)
    names = task_run_names(state.state_details.flow_run_id)
    assert sorted(name for name in names if name.startswith("load ")) == [
        "load sms",
        "load social",
    ]

    runs = audit_rows(project_env)
    assert [status for status, *_ in runs] == ["completed", "completed"]
    with psycopg.connect(project_env.dsn()) as conn:
        duplicates = conn.execute(
            """
            select (select count(*) - count(distinct id) from raw_social.tweets)
                + (select count(*) - count(distinct sid) from raw_sms.messages)
                + (select count(*) - count(distinct contact_key)
                    from ci_marts.fct_complaint_contacts)
            """
        ).fetchone()[0]
        contacts = conn.execute("select count(*) from ci_marts.fct_complaint_contacts").fetchone()
    assert duplicates == 0
    run_dbt(["build", "--full-refresh", "--select", "fct_complaint_contacts"], project_env)
    with psycopg.connect(project_env.dsn()) as conn:
        rebuilt = conn.execute("select count(*) from ci_marts.fct_complaint_contacts").fetchone()
    assert contacts == rebuilt


def test_the_deployments_take_their_schedules_from_settings(
    prefect_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEEJAN_SCHEDULE_CRON", "30 5 * * 1-5")
    monkeypatch.setenv("BEEJAN_SCHEDULE_TIMEZONE", "Europe/London")
    monkeypatch.setenv("BEEJAN_NEAR_REAL_TIME_MINUTES", "5")
    settings = Settings(_env_file=None)
    with get_client(sync_client=True) as client:
        batch = client.read_deployment(batch_deployment(settings).apply())
        lane = client.read_deployment(near_real_time_deployment(settings).apply())
    [schedule] = batch.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("30 5 * * 1-5", "Europe/London")
    [interval] = lane.schedules
    assert interval.schedule.interval.total_seconds() == 300
    assert lane.parameters == {"sources": list(NEAR_REAL_TIME_SOURCES)}
    assert batch.global_concurrency_limit.limit == lane.global_concurrency_limit.limit == 1
