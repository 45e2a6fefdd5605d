"""`beejan quarantine replay` and `dismiss`: an operator corrects what the loaders set aside and
replays it through the source's own parser, or dismisses it; every decision is kept.

A landed call-centre log ends in a cut-off line and a web-form export holds two rows that lost a
field; each is a copy of a real complaint contact of the simulated day under a new id. An API
record (a Twilio message) is replayed from its corrected JSON."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from beejan.core.connections import PostgresConnection
from beejan.core.settings import Settings
from extract_load.quarantine import Outcome
from extract_load.replay import replay
from simulator.live import LiveScenario
from tests.dbt.steps import CONTACTS
from tests.extract_load.conftest import Loader
from tests.extract_load.test_quarantine_review import quarantine
from tests.fake_apis import FakeTwilio
from tests.test_cli import beejan

CUT_CALL, WHOLE_CALL = "C-REPLAY-CUT", "C-REPLAY-WHOLE"
SHORT_ROW, STILL_BROKEN_ROW = "WF-REPLAY-1", "WF-REPLAY-2"


def one(warehouse: PostgresConnection, query: str, *values: object) -> tuple:
    with psycopg.connect(warehouse.dsn()) as conn:
        return conn.execute(query, values).fetchone()


def ok(*args: str) -> str:
    result = beejan(*args, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def a_contact(warehouse: PostgresConnection, channel: str) -> str:
    """The source id of a complaint contact the marts hold for `channel`."""
    return one(
        warehouse,
        f"select source_ref from {CONTACTS} where channel = %s order by source_ref limit 1",
        channel,
    )[0]


def land_call_log(warehouse: PostgresConnection, landing: Path) -> str:
    """A log of two copies of a real closing call event: a whole line, then the other cut off
    half way (the file was copied while written). Returns the whole cut line."""
    call_id = a_contact(warehouse, "call_center")
    path, number = one(
        warehouse,
        "select source_file, line_number from raw_call_center.call_events "
        "where call_id = %s and event = 'call_closed'",
        call_id,
    )
    log = landing / "call_center" / path
    text = gzip.decompress(log.read_bytes()) if path.endswith(".gz") else log.read_bytes()
    line = text.decode().splitlines()[number - 1]
    whole, cut = (re.sub(r"call_id=\S+", f"call_id={new}", line) for new in (WHOLE_CALL, CUT_CALL))
    (log.parent / "calls_replay_test.log").write_text(f"{whole}\n{cut[: len(cut) // 2]}")
    return cut


def land_web_export(warehouse: PostgresConnection, landing: Path) -> list[list[str]]:
    """An export of two copies of a real submission, each without its last field. Returns
    the two rows whole. Their messages differ from the original's: the same words again from
    the same sender within a minute are a double click, which the marts rightly drop."""
    submission = a_contact(warehouse, "web_form")
    path = one(
        warehouse,
        "select source_file from raw_web_forms.submissions where submission_id = %s",
        submission,
    )[0]
    export = landing / "web_forms" / path
    header, *rows = csv.reader(io.StringIO(export.read_text(encoding="utf-8-sig"), newline=""))
    [row] = [row for row in rows if row[header.index("submission_id")] == submission]
    whole = []
    for new_id in (SHORT_ROW, STILL_BROKEN_ROW):
        copy = list(row)
        copy[header.index("submission_id")] = new_id
        copy[header.index("message")] += f" Still not fixed, reference {new_id}."
        whole.append(copy)
    (export.parent / "web_complaints_replay_test.csv").write_text(
        csv_text([header, *(row[:-1] for row in whole)])
    )
    return whole


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def records_of(file_name: str) -> list[dict]:
    """The quarantined records of a landed file, in line order."""
    records = [
        row
        for row in quarantine("list", "--limit", "1000")
        if Path(row["origin"].rpartition(":")[0]).name == file_name
    ]
    return sorted(records, key=lambda row: int(row["origin"].rpartition(":")[2]))


def raw_and_mart_counts(warehouse: PostgresConnection) -> dict[str, tuple[int, int]]:
    """(rows in raw, contacts in the marts) of each copy."""
    counts = {}
    for source_ref in (CUT_CALL, SHORT_ROW, STILL_BROKEN_ROW):
        raw = one(
            warehouse,
            "select (select count(*) from raw_call_center.call_events "
            "        where call_id = %s and event = 'call_closed')"
            " + (select count(*) from raw_web_forms.submissions where submission_id = %s)",
            source_ref,
            source_ref,
        )[0]
        marts = one(warehouse, f"select count(*) from {CONTACTS} where source_ref = %s", source_ref)
        counts[source_ref] = (raw, marts[0])
    return counts


@pytest.mark.slow
def test_corrected_records_replay_once_and_every_decision_is_kept(
    loaded: LiveScenario, project_env: PostgresConnection, tmp_path: Path
) -> None:
    landing = Path(loaded.env["BEEJAN_LANDING_DIR"])
    ok("build")  # the warehouse as an operator finds it: loaded and built
    cut_line = land_call_log(project_env, landing)
    whole_rows = land_web_export(project_env, landing)
    ok("load", "call_center", "web_forms")

    [cut] = records_of("calls_replay_test.log")
    short, still_broken = records_of("web_complaints_replay_test.csv")
    assert cut["origin"].endswith(":2") and short["origin"].endswith(":2")
    assert (cut["reason"], short["reason"]) == ("cut_off_line", "field_count_mismatch")
    assert {cut["status"], short["status"], still_broken["status"]} == {"open"}
    assert raw_and_mart_counts(project_env) == {
        CUT_CALL: (0, 0),
        SHORT_ROW: (0, 0),
        STILL_BROKEN_ROW: (0, 0),
    }

    corrected = tmp_path / "corrected"
    corrected.write_text(cut_line + "\n")  # as an editor saves it, with a final newline
    editor = tmp_path / "editor"  # the operator's $EDITOR, typing the whole line in
    editor.write_text(f'#!/bin/sh\ncp "{corrected}" "$1"\n')
    editor.chmod(0o755)
    edited = beejan(
        *("quarantine", "replay", cut["quarantine_id"][:12], "--edit", "--by", "night-operator"),
        env={**os.environ, "EDITOR": str(editor)},
        timeout=600,
    )
    assert edited.returncode == 0 and "replayed" in edited.stdout, edited.stdout + edited.stderr
    corrected.write_text(csv_text([whole_rows[0]]))
    assert "replayed" in ok(
        "quarantine", "replay", short["quarantine_id"], "--payload-file", str(corrected)
    )
    after_replay = raw_and_mart_counts(project_env)
    assert after_replay[CUT_CALL] == (1, 1) and after_replay[SHORT_ROW] == (1, 1)

    # a second replay changes nothing: the record is closed
    again = ok("quarantine", "replay", short["quarantine_id"], "--payload-file", str(corrected))
    assert "already replayed" in again
    assert raw_and_mart_counts(project_env) == after_replay

    # still broken: a row with its field back but a date in no format the CMS writes
    row = whole_rows[1]
    header = next(
        csv.reader(
            io.StringIO((landing / "web_forms" / "web_complaints_replay_test.csv").read_text())
        )
    )
    row[header.index("submitted_at")] = "the day before yesterday"
    corrected.write_text(csv_text([row]))
    failed = beejan(
        "quarantine",
        "replay",
        still_broken["quarantine_id"],
        "--payload-file",
        str(corrected),
        "--no-build",
        timeout=600,
    )
    assert failed.returncode == 1 and "still unusable" in failed.stdout, failed.stdout
    still = quarantine("show", still_broken["quarantine_id"])
    assert (still["status"], still["reason"], still["first_reason"]) == (
        "open",
        "bad_timestamp",
        "field_count_mismatch",
    )
    assert raw_and_mart_counts(project_env)[STILL_BROKEN_ROW] == (0, 0)

    # dismissed: kept, counted as dismissed, in the command and in the data-quality mart
    ok(
        "quarantine",
        "dismiss",
        still_broken["quarantine_id"],
        "--reason",
        "test submission, not a customer",
    )
    dismissed = quarantine("show", still_broken["quarantine_id"])
    assert dismissed["status"] == "dismissed"
    assert dismissed["decision_detail"] == "test submission, not a customer"

    replayed = quarantine("show", cut["quarantine_id"])
    assert (replayed["status"], replayed["decided_by"]) == ("replayed", "night-operator")
    with psycopg.connect(project_env.dsn()) as conn:
        decisions = conn.execute(
            "select quarantine_id, outcome from raw_quarantine.quarantine_decisions "
            "order by decided_at"
        ).fetchall()
        mart = dict(
            (f"{source} {reason}", (open_, replayed_, dismissed_))
            for source, reason, open_, replayed_, dismissed_ in conn.execute(
                "select source_system, reason, open_records, replayed_records, "
                "dismissed_records from ci_marts.agg_quarantined_records__status"
            )
        )
    assert decisions == [
        (cut["quarantine_id"], "replayed"),
        (short["quarantine_id"], "replayed"),
        (still_broken["quarantine_id"], "requarantined"),
        (still_broken["quarantine_id"], "dismissed"),
    ]
    counted = {f"{row['source']} {row['reason']}": row for row in quarantine("counts")}
    assert counted["web_forms field_count_mismatch"]["replayed"] == 1
    assert counted["web_forms bad_timestamp"]["dismissed"] == 1
    assert mart["web_forms field_count_mismatch"][1] == 1
    assert mart["web_forms bad_timestamp"] == (0, 0, 1)
    assert mart["call_center cut_off_line"][1] == 1


def test_a_corrected_api_record_replays_as_its_source_loads_it(
    twilio: FakeTwilio, load: Loader, project_env: PostgresConnection
) -> None:
    sid = "SM" + "2" * 32
    sent = "Thu, 20 Nov 2026 08:14:03 +0000"
    message = twilio.message(sid, "no network since morning", "+2348035550134", sent)
    twilio.messages = [message | {"date_sent": "yesterday"}]
    (result,) = load(["sms"])
    assert result.quarantined == {"bad_timestamp": 1}
    (record_id,) = one(project_env, "select quarantine_id from raw_sms.quarantined_records")

    settings = Settings(_env_file=None)
    decided = replay(record_id, json.dumps(message).encode(), "ops", settings, project_env)

    assert decided.outcome is Outcome.REPLAYED, decided.message
    landed = one(project_env, "select sid, date_sent, body from raw_sms.messages")
    assert landed == (sid, datetime(2026, 11, 20, 8, 14, 3, tzinfo=UTC), message["body"])
