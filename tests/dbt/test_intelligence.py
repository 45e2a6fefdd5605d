"""Complaint intelligence measured against the truth of a simulated month (fixed seed, default
scale): categories, noise, one row per complaint, outages, recurrence; loaded as production
would (a load every six days, inside X's seven-day search window) and built incrementally,
then compared with a full refresh."""

from __future__ import annotations

import psycopg
import pytest

from beejan.core.roles import login_as
from beejan.core.settings import Settings
from flows import audit
from flows.thresholds import raise_threshold_alerts
from simulator.accuracy import Report, measure
from tests.conftest import Month
from tests.dbt.steps import MARTS, incremental_rows, table_rows

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(month: Month) -> Report:
    return measure(month.scenario, month.warehouse, MARTS)


def test_incremental_builds_give_the_rows_of_a_full_refresh(month: Month) -> None:
    full = table_rows(month.warehouse, "fct_complaint_contacts", "contact_key")
    assert len(full) == len(month.incremental["contacts"]) > 3000
    assert full == month.incremental["contacts"]
    complaints = table_rows(month.warehouse, "fct_complaints", "complaint_key")
    assert complaints == month.incremental["complaints"]
    for model, rows in incremental_rows(month.warehouse).items():
        assert len(rows) > 3000, model
        assert rows == month.incremental[model], model


def test_every_complaint_has_a_category_or_an_explicit_unmapped(month: Month) -> None:
    with psycopg.connect(month.warehouse.dsn()) as conn:
        missing = conn.execute(
            f"select count(*) from {MARTS}.fct_complaints where category_code is null"
        ).fetchone()[0]
    assert missing == 0


def test_categories_agree_with_the_truth_on_every_channel(report: Report) -> None:
    for channel, ratio in report.category_by_channel.items():
        assert ratio.value >= 0.90, (channel, str(ratio))
    assert report.category_overall.value >= 0.95, str(report.category_overall)


def test_noise_is_told_apart_from_complaints(report: Report) -> None:
    assert report.noise_precision.value >= 0.95, str(report.noise_precision)
    assert report.noise_recall.value >= 0.95, str(report.noise_recall)


def test_complaints_per_day_and_channel_are_within_two_percent(report: Report) -> None:
    assert Report.deviation(report.complaints_per_day) <= 0.02
    assert Report.deviation(report.contacts_per_day) <= 0.02


def test_contacts_are_grouped_into_complaints_as_the_truth_groups_them(report: Report) -> None:
    assert report.pair_f1 >= 0.95, (str(report.pair_precision), str(report.pair_recall))


def test_no_contact_is_linked_to_the_wrong_customer(report: Report) -> None:
    assert report.links["wrong"] == 0
    assert report.links["linked"] > 3000


def test_every_outage_that_caused_a_spike_is_detected_within_the_hour(report: Report) -> None:
    assert len(report.outages) >= 10
    assert report.detected_outages == len(report.outages), report.outages
    assert report.median_lag_minutes is not None and report.median_lag_minutes < 60
    assert report.false_alarms / report.weeks < 2  # reported by `beejan simulate accuracy`


def test_recurrence_agrees_with_the_truth(report: Report) -> None:
    assert report.recurrence.value >= 0.95, str(report.recurrence)


def test_the_reporter_reads_every_new_mart(month: Month) -> None:
    reporter = login_as("reporter", month.warehouse, month.settings)
    marts = [
        "fct_complaints",
        "fct_outage_spikes",
        "fct_network_incidents",
        "fct_customer_churn_risk",
        "agg_complaints__periods",
        "agg_unmapped_category_values__daily",
    ]
    with psycopg.connect(reporter.dsn()) as conn:
        counts = {
            mart: conn.execute(f"select count(*) from {MARTS}.{mart}").fetchone()[0]
            for mart in marts
        }
    assert all(counts[mart] > 0 for mart in marts if mart != "agg_unmapped_category_values__daily")


def test_each_spike_no_incident_explains_is_alerted_once(
    month: Month, report: Report, webhook, mailbox
) -> None:
    """The outage early warning, by webhook and email, from the month's real marts: every
    unexplained spike once, naming its region, category and counts; a later run repeats none."""
    unreported = [outage for outage in report.outages if not outage["reported"]]
    assert unreported  # the month has outages nobody logged; otherwise this proves nothing
    with psycopg.connect(month.warehouse.dsn()) as conn:
        spikes = conn.execute(
            f"select region_code, category_code, peak_complaints_per_window "
            f"from {MARTS}.fct_outage_spikes where not is_explained"
        ).fetchall()
    assert len(spikes) >= len(unreported)
    receivers = {**webhook.env, **mailbox.env}
    settings = Settings(
        _env_file=None,
        **month.settings.model_dump()
        | {name.removeprefix("BEEJAN_").lower(): value for name, value in receivers.items()},
    )
    audit.start(month.warehouse, "first", [])

    alerts = raise_threshold_alerts(month.warehouse, settings, "first", {})

    assert {alert.kind for alert in alerts} == {"unexplained_spike"}
    for received in (webhook.texts(), mailbox.texts()):
        assert len(received) == len(spikes)
        for region, category, peak in spikes:
            assert any(
                f"{peak} {category} complaints in {region}" in text and "spike_z" in text
                for text in received
            )
    audit.start(month.warehouse, "second", [])
    assert raise_threshold_alerts(month.warehouse, settings, "second", {}) == []
