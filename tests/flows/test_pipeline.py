"""The Prefect flow on the simulator: a real (temporary) Prefect server, the real loaders, real
dbt, and a real HTTP endpoint for the alert."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.testing.utilities import prefect_test_harness

from beejan.core.settings import Settings, get_settings
from extract_load.registry import ALL_SOURCES
from flows.pipeline import scheduled_deployment, warehouse_pipeline
from simulator.fixtures import ScenarioFactory
from simulator.live import LiveScenario

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def prefect_server() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def sources(
    prefect_server: None,
    make_scenario: ScenarioFactory,
    project_env,
    monkeypatch: pytest.MonkeyPatch,
) -> LiveScenario:
    """One simulated day; a failed load is retried once, at once."""
    live = make_scenario(days=1)
    retry_fast = {"BEEJAN_LOAD_RETRIES": "1", "BEEJAN_LOAD_RETRY_DELAY_SECONDS": "0"}
    for name, value in {**live.env, **retry_fast, "BEEJAN_ENVIRONMENT": "ci"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return live


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict]]]:
    """A local endpoint that records the JSON bodies posted to it."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/alert", received
    server.shutdown()


def audit_rows(warehouse) -> list[tuple]:
    with psycopg.connect(warehouse.dsn()) as conn:
        return conn.execute(
            "select status, source_results, message, finished_at is not null "
            "from audit.pipeline_runs order by started_at"
        ).fetchall()


def contacts_per_channel(warehouse) -> dict[str, int]:
    with psycopg.connect(warehouse.dsn()) as conn:
        return dict(
            conn.execute(
                "select channel, count(*) from ci_marts.fct_complaint_contacts group by 1"
            ).fetchall()
        )


def test_flow_loads_every_source_builds_and_leaves_an_audit_row(sources, project_env) -> None:
    results = warehouse_pipeline()
    assert set(results) == set(ALL_SOURCES)
    assert [result["error"] for result in results.values()] == [None] * len(ALL_SOURCES)
    assert audit_rows(project_env) == [("completed", results, None, True)]
    assert set(contacts_per_channel(project_env)) == {"social", "sms", "call_center", "web_form"}


def test_a_failing_source_is_retried_alerted_and_audited_while_the_rest_builds(
    sources: LiveScenario, project_env, webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A day after a good run the SMS API is down: the other sources load and the marts build
    (SMS keeps yesterday's contacts), the run fails, says why, and alerts."""
    warehouse_pipeline()
    before = contacts_per_channel(project_env)
    sources.advance(1)
    url, alerts = webhook
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    monkeypatch.setenv("BEEJAN_SMS_API_BASE", f"http://127.0.0.1:{closed_port}")
    monkeypatch.setenv("BEEJAN_ALERT_WEBHOOK_URL", url)
    get_settings.cache_clear()

    state = warehouse_pipeline(return_state=True)

    assert state.is_failed()
    first, second = audit_rows(project_env)
    assert first[0] == "completed"
    status, results, message, finished = second
    assert (status, message, finished) == ("failed", "sources failed after retries: sms", True)
    assert "SMS API is unreachable" in results["sms"]["error"]
    assert all(results[source]["error"] is None for source in ALL_SOURCES if source != "sms")
    after = contacts_per_channel(project_env)
    assert after["sms"] == before["sms"]
    assert after["web_form"] > before["web_form"]  # the day's other sources still landed
    assert len(alerts) == 1 and "sms" in alerts[0]["text"]
    with psycopg.connect(project_env.dsn()) as conn:
        modelled = conn.execute(
            "select run_status, failed_source_count from ci_marts.fct_pipeline_runs "
            "order by started_at"
        ).fetchall()
    assert modelled == [("completed", 0), ("running", 0)]  # this run's build ran inside it
    with get_client(sync_client=True) as client:
        task_runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=[state.state_details.flow_run_id])
            )
        )
    attempts = {run.name: run.run_count for run in task_runs}
    assert attempts["load sms"] == 2  # the first try and one retry
    assert attempts["load social"] == 1


def test_the_scheduled_deployment_takes_its_cron_and_zone_from_settings(
    prefect_server: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEEJAN_SCHEDULE_CRON", "30 5 * * 1-5")
    monkeypatch.setenv("BEEJAN_SCHEDULE_TIMEZONE", "Europe/London")
    deployment_id = scheduled_deployment(Settings(_env_file=None)).apply()
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment(deployment_id)
    [schedule] = deployment.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("30 5 * * 1-5", "Europe/London")
    assert deployment.global_concurrency_limit.limit == 1


def test_the_alert_names_every_failed_source_and_the_failed_build(
    sources: LiveScenario, project_env, webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CRM is unreachable on the very first run, so raw_crm never appears and the build
    fails too: one alert names both."""
    url, alerts = webhook
    monkeypatch.setenv("BEEJAN_CRM_DSN", "postgresql://nobody:x@127.0.0.1:9/crm")
    monkeypatch.setenv("BEEJAN_ALERT_WEBHOOK_URL", url)
    get_settings.cache_clear()

    state = warehouse_pipeline(return_state=True)

    assert state.is_failed()
    [(status, _, message, _)] = audit_rows(project_env)
    assert status == "failed"
    assert message.startswith("sources failed after retries: crm; dbt build failed:")
    [alert] = alerts
    assert "crm" in alert["text"] and "dbt build failed" in alert["text"]
