"""The threshold alerts beside the failure alert, from the run's results and the audit trail
in a real database, to a real webhook receiver and a real SMTP server."""

from __future__ import annotations

import pytest

from beejan.core.connections import PostgresConnection
from beejan.core.roles import ensure_roles
from beejan.core.settings import Settings
from flows import audit
from flows.thresholds import raise_threshold_alerts


def finished_run(warehouse: PostgresConnection, run_id: str, results: dict[str, dict]) -> None:
    audit.start(warehouse, run_id, list(results))
    audit.finish(warehouse, run_id, "completed", results, None)


def loaded(rows: int, **quarantined: int) -> dict:
    return {"rows": {"records": rows} if rows else {}, "quarantined": quarantined, "error": None}


@pytest.fixture
def settings(database: PostgresConnection, webhook, mailbox, tmp_path) -> Settings:
    receivers = {**webhook.env, **mailbox.env}
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path,
        alert_quarantine_threshold=10,
        alert_silent_source_runs=3,
        **{name.removeprefix("BEEJAN_").lower(): value for name, value in receivers.items()},
    )
    ensure_roles(database, settings)
    return settings


def test_quarantine_and_silent_source_alerts_name_the_source_threshold_and_value(
    database: PostgresConnection, settings: Settings, webhook, mailbox
) -> None:
    """Social loaded in each of its last three runs and nothing now; SMS was already silent in
    one of them, so it is not news; web forms quarantined 12 records against a threshold of 10;
    the call centre's 10 are not above it."""
    history = [(5, 7), (7, 0), (9, 3)]
    for number, (social, sms) in enumerate(history):
        finished_run(database, f"run-{number}", {"social": loaded(social), "sms": loaded(sms)})
    now = {
        "social": loaded(0),
        "sms": loaded(0),
        "web_forms": loaded(40, bad_timestamp=11, nul_byte=1),
        "call_center": loaded(80, cut_off_line=10),
        "crm": {"rows": None, "quarantined": None, "error": "unreachable"},
    }
    audit.start(database, "now", list(now))

    alerts = raise_threshold_alerts(database, settings, "now", now)

    assert sorted((alert.kind, alert.subjects) for alert in alerts) == [
        ("quarantine_threshold", ("web_forms",)),
        ("silent_source", ("social",)),
    ]
    for received in (webhook.texts(), mailbox.texts()):
        [quarantine] = [text for text in received if "web_forms" in text]
        assert "quarantined 12 records" in quarantine and "threshold of 10" in quarantine
        assert "bad_timestamp 11, nul_byte 1" in quarantine
        [silent] = [text for text in received if "social" in text]
        assert "loaded 0 records" in silent and "last 3 completed runs" in silent
        assert "(9, 7, 5" in silent
        assert len(received) == 2


def test_a_source_with_too_short_a_history_is_not_called_silent(
    database: PostgresConnection, settings: Settings, webhook
) -> None:
    finished_run(database, "run-0", {"social": loaded(5)})
    audit.start(database, "now", ["social"])
    assert raise_threshold_alerts(database, settings, "now", {"social": loaded(0)}) == []
    assert webhook.texts() == []
