"""The four dlt sources against the simulator: nothing lost, nothing twice."""

from __future__ import annotations

import logging
import os

import psycopg
import pytest

from beejan.core.connections import PostgresConnection
from simulator.live import LiveScenario
from simulator.serving import Faults
from tests.extract_load.conftest import DLT_SOURCES, Loader, quarantined, raw_keys

RAW = {  # channel in the truth -> (dlt source, raw table, natural key column)
    "social": ("social", "raw_social.tweets", "id"),
    "sms": ("sms", "raw_sms.messages", "sid"),
    "call_center": ("call_center", "raw_call_center.call_events", "event_key"),
    "web_form": ("web_forms", "raw_web_forms.submissions", "submission_id"),
}


def assert_reconciles(live: LiveScenario, warehouse: PostgresConnection) -> None:
    """Every generated record is in its raw table exactly once, or quarantined with a reason."""
    truth = live.scenario.truth()
    for channel, (source, table, key) in RAW.items():
        expected = {
            k for (ch, k), record in truth.items() if ch == channel and not record.quarantine
        }
        landed = raw_keys(warehouse, table, key)
        assert len(landed) == len(set(landed)), f"{table} holds a record twice"
        assert set(landed) == expected, channel
        to_quarantine = [r for (ch, _), r in truth.items() if ch == channel and r.quarantine]
        reasons = [reason for reason, _, _ in quarantined(warehouse, source)]
        assert len(reasons) >= len(to_quarantine)
        assert all(reasons), "a quarantine row without its reason"


def test_a_load_reconciles_with_the_ground_truth(sources, load: Loader, project_env) -> None:
    results = load()
    assert [r.error for r in results] == [None] * len(DLT_SOURCES)
    assert_reconciles(sources, project_env)
    cut = quarantined(project_env, "call_center")
    assert cut and all(payload and origin for _, origin, payload in cut)


def test_sources_load_at_once_each_in_a_process_of_its_own(
    sources, load: Loader, project_env, caplog: pytest.LogCaptureFixture
) -> None:
    """Their parsing is Python: threads would share one core. Their log lines come back here."""
    caplog.set_level(logging.INFO, logger="extract_load.runner")
    results = load()
    assert [result.source for result in results] == list(DLT_SOURCES)  # in the order asked
    assert [result.error for result in results] == [None] * len(DLT_SOURCES)
    started = {
        record.getMessage(): record.process
        for record in caplog.records
        if record.getMessage().startswith("loading ")
    }
    assert set(started) == {f"loading {name}" for name in DLT_SOURCES}
    assert os.getpid() not in started.values()


def test_a_load_leaves_fresh_planner_statistics(sources, load: Loader, project_env) -> None:
    """dbt builds right after a load: the planner must know how big the new tables are."""
    load()
    with psycopg.connect(project_env.dsn()) as conn:
        never_analyzed = conn.execute(
            "select schemaname || '.' || relname from pg_stat_user_tables "
            "where schemaname in ('raw_social', 'raw_sms', 'raw_call_center', 'raw_web_forms', "
            "'raw_quarantine') and last_analyze is null"
        ).fetchall()
    assert never_analyzed == []


def test_source_text_stays_as_sent(sources, load: Loader, project_env) -> None:
    """Dates the staging layer parses land as the text the source wrote, not re-typed."""
    load(["call_center", "web_forms"])
    with psycopg.connect(project_env.dsn()) as conn:
        submitted = [
            row[0] for row in conn.execute("select submitted_at from raw_web_forms.submissions")
        ]
        logged = [row[0] for row in conn.execute("select ts_text from raw_call_center.call_events")]
    assert any("/" in value for value in submitted)  # CMS v1: 20/11/2026 08:14
    assert any(" " in value and "/" not in value for value in submitted)  # v2: 2026-11-20 08:14:03
    assert all(isinstance(value, str) for value in submitted + logged)
    assert any(value.endswith("+02:00") for value in logged)  # the site's own offset, as logged


def test_second_load_without_new_data_adds_nothing(sources, load: Loader, project_env) -> None:
    load()
    counts = table_counts(project_env)
    second = load()
    assert table_counts(project_env) == counts
    assert all(not r.error for r in second)
    by_source = {r.source: r.rows for r in second}
    assert by_source["social"].get("tweets", 0) == 0  # since_id: nothing newer was asked for
    assert by_source["call_center"].get("call_events", 0) == 0  # no file changed
    assert by_source["web_forms"].get("submissions", 0) == 0
    with psycopg.connect(project_env.dsn()) as conn:  # DateSent>= re-reads one day: the newest
        [newest_day] = conn.execute(
            "select count(*) from raw_sms.messages where (date_sent at time zone 'UTC')::date "
            "= (select max(date_sent at time zone 'UTC')::date from raw_sms.messages)"
        ).fetchone()
    assert by_source["sms"]["messages"] == newest_day > 0


def test_load_after_more_days_adds_exactly_the_new_and_changed(
    sources, load: Loader, project_env
) -> None:
    load()
    sources.advance(2)
    load()
    assert_reconciles(sources, project_env)


def test_full_refresh_reloads_without_duplicates(sources, load: Loader, project_env) -> None:
    load()
    counts = table_counts(project_env)
    load(full_refresh=True)
    assert table_counts(project_env) == counts


def test_backfill_of_a_date_range_rereads_it_without_duplicates(
    sources, load: Loader, project_env
) -> None:
    load()
    counts = table_counts(project_env)
    first_day = sources.scenario.world.start
    results = load(["call_center", "web_forms"], since=first_day, until=first_day)
    rows = {r.source: sum(r.rows.values()) for r in results}
    assert rows["call_center"] > 0 and rows["web_forms"] > 0  # the day was read again
    assert table_counts(project_env) == counts  # and merged, not duplicated
    assert_reconciles(sources, project_env)


def test_wrong_credentials_fail_only_that_source(
    sources, load: Loader, project_env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEEJAN_SOCIAL_BEARER_TOKEN", "wrong")
    results = {r.source: r for r in load()}
    assert "rejected our credentials (401)" in results["social"].error
    assert all(results[name].ok for name in ("sms", "call_center", "web_forms"))


def test_unreachable_api_is_a_clear_error(
    sources, load: Loader, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEEJAN_SMS_API_BASE", "http://127.0.0.1:9")
    (result,) = load(["sms"])
    assert result.error == "the SMS API is unreachable at http://127.0.0.1:9: ConnectionError"


def test_an_unknown_source_is_a_clear_error_not_another_load(
    sources, load: Loader, project_env
) -> None:
    (result,) = load(["tiktok"])
    assert result.error == (
        "unknown source 'tiktok'; the sources are social, sms, call_center, web_forms, crm"
    )
    with psycopg.connect(project_env.dsn()) as conn:
        schema = conn.execute("select 1 from pg_namespace where nspname = 'raw_tiktok'")
        assert schema.fetchone() is None


def test_rate_limits_and_server_errors_are_survived(
    make_scenario, project_env, load: Loader, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = make_scenario(days=1, faults=Faults(rate_limit=0.2, server_error=0.2))
    for name, value in live.env.items():
        monkeypatch.setenv(name, value)
    results = load(["social", "sms"])
    assert [r.error for r in results] == [None, None]
    truth = live.scenario.truth()
    for channel in ("social", "sms"):
        _, table, key = RAW[channel]
        assert set(raw_keys(project_env, table, key)) == {k for ch, k in truth if ch == channel}


def table_counts(warehouse: PostgresConnection) -> dict[str, int]:
    with psycopg.connect(warehouse.dsn()) as conn:
        return {
            table: conn.execute(f"select count(*) from {table}").fetchone()[0]
            for _, table, _ in RAW.values()
        }
