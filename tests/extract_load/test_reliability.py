"""Nothing lost, nothing stuck: bad files beside good ones, old modification times, exact
payloads, the loader role, a contract-valid message the simulator does not send."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from beejan.core.connections import PostgresConnection
from extract_load.pipeline import LoadResult
from simulator.live import LiveScenario
from tests.extract_load.conftest import DLT_SOURCES, Loader, quarantined, raw_keys
from tests.extract_load.test_dlt_sources import assert_reconciles
from tests.fake_apis import FakeTwilio

OLD = 946_684_800  # 2000-01-01: what `cp -p` or `rsync -t` keep of an old file


def landing(live: LiveScenario) -> Path:
    return live.scenario.landing


def test_a_file_copied_in_with_an_old_modification_time_is_loaded(
    sources: LiveScenario, load: Loader, project_env
) -> None:
    load(["web_forms"])
    export = landing(sources) / "web_forms" / "web_complaints_2026-12-24.csv"
    export.write_text(
        "submission_id,submitted_at,email,category,message\n"
        "WF-LATE-1,2026-12-24 09:00:00,late@example.ng,Network,no signal since morning\n"
    )
    os.utime(export, (OLD, OLD))
    (result,) = load(["web_forms"])
    assert result.rows == {"submissions": 1}
    assert "WF-LATE-1" in raw_keys(project_env, "raw_web_forms.submissions", "submission_id")


def test_bad_files_are_quarantined_once_and_the_good_files_beside_them_load(
    sources: LiveScenario, load: Loader, project_env
) -> None:
    folder = landing(sources) / "call_center" / "2026" / "11" / "16"
    not_gzip = folder / "calls_LAG1_2026111699.log.gz"
    not_gzip.write_bytes(b"this was never gzip")
    random_bytes = folder / "calls_ABJ1_2026111699.log"
    random_bytes.write_bytes(os.urandom(5000).replace(b"\n", b""))
    no_header = landing(sources) / "web_forms" / "web_complaints_2026-11-30.csv"
    no_header.write_text("WF-X,2026-11-30 09:00:00,a@b.ng,Network,hi\n")

    results = load()
    assert [r.error for r in results] == [None] * len(DLT_SOURCES)
    assert_reconciles(sources, project_env)  # every good record of every good file landed
    expected = {
        "2026/11/16/calls_LAG1_2026111699.log.gz": "unreadable_file",
        "2026/11/16/calls_ABJ1_2026111699.log": "unreadable_file",
        "web_complaints_2026-11-30.csv": "missing_header",
    }
    met = quarantined(project_env, "call_center") + quarantined(project_env, "web_forms")
    assert {origin: reason for reason, origin, _ in met if origin in expected} == expected

    counts = quarantine_count(project_env)
    load()
    assert quarantine_count(project_env) == counts  # once, not on every run

    not_gzip.write_bytes(gzip.compress(b"ts=2026-11-16T23:30:00+01:00 level=DEBUG event=hb\n"))
    (result,) = load(["call_center"])
    assert result.rows == {"call_events": 1}  # the corrected file is read again


def quarantine_count(connection: PostgresConnection) -> int:
    with psycopg.connect(connection.dsn()) as conn:
        return conn.execute("select count(*) from raw_quarantine.quarantined_records").fetchone()[0]


def test_quarantined_payloads_come_back_byte_for_byte(
    sources: LiveScenario, load: Loader, project_env
) -> None:
    lines = [
        b"ts=2026-11-16T07:59:00+01:00 level=DEBUG event=heartbeat",  # a good line: per-line
        b'ts=2026-11-16T08:00:00+01:00 level=INFO notes="NUL \x00 here"',
        b"ts=2026-11-16T08:00:01+01:00 level=INFO notes=\xff\xfe\xfd",
        b'ts=not-a-time level=INFO notes="\xf0\x9f\x98\xa1 \\"quoted\\" \'single\'"\r',
    ]
    cut_off = b'ts=2026-11-16T08:00:02+01:00 notes="cut \xf0\x9f\x99\x8f\r'
    folder = landing(sources) / "call_center" / "2026" / "11" / "16"
    (folder / "calls_LAG1_2026111698.log").write_bytes(b"\n".join(lines) + b"\n" + cut_off)
    row = b'WF-Q,yesterday,q@x.ng,Billing,"line one\r\nline two, ""quoted"" \xf0\x9f\x98\xa4"'
    export = landing(sources) / "web_forms" / "web_complaints_2026-11-29.csv"
    export.write_bytes(b"submission_id,submitted_at,email,category,message\r\n" + row + b"\r\n")

    load(["call_center", "web_forms"])
    with psycopg.connect(project_env.dsn()) as conn:
        payloads = {
            origin: bytes(payload)
            for origin, payload in conn.execute(
                "select origin, payload from raw_quarantine.quarantined_records "
                "where origin like '%%98.log:%%' or origin like 'web_complaints_2026-11-29%%'"
            )
        }
    assert payloads == {
        "2026/11/16/calls_LAG1_2026111698.log:2": lines[1],
        "2026/11/16/calls_LAG1_2026111698.log:3": lines[2],
        "2026/11/16/calls_LAG1_2026111698.log:4": lines[3],
        "2026/11/16/calls_LAG1_2026111698.log:5": cut_off,
        "web_complaints_2026-11-29.csv:2": row,
    }


def test_loads_log_in_as_the_loader_role_by_default(
    sources: LiveScenario, load: Loader, project_env
) -> None:
    load(["web_forms", "social"])
    with psycopg.connect(project_env.dsn()) as conn:
        owners = conn.execute(
            "select distinct tableowner from pg_tables where schemaname like 'raw\\_%%'"
        ).fetchall()
    assert owners == [("loader",)]


def test_a_message_without_date_sent_lands(twilio: FakeTwilio, load: Loader, project_env) -> None:
    """Twilio's spec allows a null date_sent (a message not sent yet): it lands, dated by its
    creation in staging."""
    message = twilio.message("SM" + "1" * 32, "no network since morning o", "+2348035550134", None)
    twilio.messages = [message]
    (result,) = load(["sms"])
    assert result.error is None and result.rows == {"messages": 1}
    with psycopg.connect(project_env.dsn()) as conn:
        landed = conn.execute("select sid, date_sent from raw_sms.messages").fetchall()
    assert landed == [(message["sid"], None)]


def killed_then_loaded_again(script: str, *args: str, load: Loader) -> dict[str, LoadResult]:
    """Run `script`, a load that dies (os._exit(9): no cleanup, as under SIGKILL) at its point,
    then load every source again: what each load did, all of them ok."""
    killed = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert killed.returncode == 9, killed.stderr
    results = {result.source: result for result in load()}
    assert all(result.ok for result in results.values()), results
    return results


# `beejan load web_forms` killed right after dlt committed the extracted package of its first
# run, before dlt saved the schema and state (os._exit: no cleanup, as under SIGKILL)
KILLED_AFTER_COMMIT = """
import os
from dlt.extract.extract import Extract
from beejan.cli import main
commit = Extract.commit_packages
def commit_then_die(self, *args, **kwargs):
    commit(self, *args, **kwargs)
    os._exit(9)
Extract.commit_packages = commit_then_die
main()
"""


def test_a_first_load_killed_before_dlt_saved_its_schema_is_finished_by_the_next(
    sources: LiveScenario, load: Loader, project_env
) -> None:
    killed_then_loaded_again(KILLED_AFTER_COMMIT, "load", "web_forms", load=load)
    assert_reconciles(sources, project_env)


# `beejan load call_center`, its process killed between a job's commit and dlt's record of it
KILLED_BEFORE_RECORDING = """
import os, sys
from dlt.common.storages.load_package import PackageStorage
from beejan.core.roles import ensure_roles
from beejan.core.settings import Settings
from beejan.core.warehouse import warehouse_connection
from extract_load.runner import load_sources

recorded = PackageStorage.save_pending_transition

def killed_before_recording(packages, load_id, file_name, *args, **kwargs):
    if file_name.startswith(sys.argv[1] + "."):
        os._exit(9)
    return recorded(packages, load_id, file_name, *args, **kwargs)

PackageStorage.save_pending_transition = killed_before_recording
settings = Settings(_env_file=None)
connection = warehouse_connection(settings)
ensure_roles(connection, settings)
load_sources(["call_center"], settings, connection)
"""


@pytest.mark.parametrize("table", ["call_events", "landed_files", "_dlt_pipeline_state"])
def test_a_job_committed_but_not_recorded_when_killed_is_not_run_twice(
    sources: LiveScenario, load: Loader, project_env, table: str
) -> None:
    """The crash suite's window, made certain: the load process dies after one job's rows
    committed and before dlt recorded it. The next run completes that job without inserting it
    again (its rows would clash on `_dlt_id` on every later run) and lands everything once."""
    results = killed_then_loaded_again(KILLED_BEFORE_RECORDING, table, load=load)
    assert results["call_center"].resumed
    assert_reconciles(sources, project_env)


# `beejan load web_forms`, killed while dlt deletes the extracted package it has just normalized
# and committed to the load storage ("do not kill this process", dlt's log says at that point);
# argv[1] names the part of the extracted package the delete had already removed, if any
KILLED_WHILE_DELETING_EXTRACTED = """
import os, shutil, sys
from dlt.common.storages.load_storage import LoadStorage
from beejan.cli import main

commit = LoadStorage.commit_new_load_package
deleted = sys.argv[1]

def commit_then_die(self, load_id):
    commit(self, load_id)
    pipeline_dir = os.path.dirname(self.storage.storage_path)
    extracted = os.path.join(pipeline_dir, "normalize", "extracted", load_id)
    if deleted != "nothing":
        shutil.rmtree(os.path.join(extracted, deleted))
    os._exit(9)

LoadStorage.commit_new_load_package = commit_then_die
sys.argv[1:] = ["load", "web_forms"]
main()
"""


@pytest.mark.parametrize("deleted", ["new_jobs", "nothing"])
def test_a_load_killed_while_dlt_clears_a_normalized_package_is_finished_by_the_next(
    sources: LiveScenario, load: Loader, project_env, deleted: str
) -> None:
    """What the crash suite hit: the next run found the extracted package half deleted, and every
    later run failed on it (FileNotFoundError: new_jobs); left whole, the next normalize failed to
    commit it again. The next run now loads the committed package, once."""
    results = killed_then_loaded_again(KILLED_WHILE_DELETING_EXTRACTED, deleted, load=load)
    assert results["web_forms"].resumed
    assert_reconciles(sources, project_env)
