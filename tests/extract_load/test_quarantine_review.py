"""`beejan quarantine`: the operator reads back what the loaders set aside, exactly."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from beejan.core.connections import PostgresConnection
from simulator.live import LiveScenario
from tests.test_cli import beejan, single_error_line


def quarantine(*args: str) -> list[dict]:
    result = beejan("quarantine", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_counts_list_and_show_read_back_the_quarantine(
    loaded: LiveScenario, project_env: PostgresConnection, tmp_path: Path
) -> None:
    with psycopg.connect(project_env.dsn()) as conn:
        truth = dict(
            conn.execute(
                "select source || ' ' || reason, count(*) "
                "from raw_quarantine.quarantined_records group by 1"
            ).fetchall()
        )
    assert truth  # the simulated day has cut-off lines; otherwise this proves nothing

    counts = quarantine("counts")
    assert {f"{row['source']} {row['reason']}": row["records"] for row in counts} == truth

    source, reason = next(iter(truth)).split(" ")
    listed = quarantine("list", "--source", source, "--reason", reason, "--limit", "1000")
    assert len(listed) == truth[f"{source} {reason}"]
    assert quarantine("list", "--source", "no_such_source") == []
    assert quarantine("list", "--from", "2001-01-01", "--to", "2001-01-02") == []
    times = [row["quarantined_at"] for row in listed]
    assert times == sorted(times, reverse=True)  # newest first

    record_id = listed[0]["quarantine_id"]
    payload_file = tmp_path / "payload.bin"
    shown = beejan("quarantine", "show", record_id[:10], "--payload-to", str(payload_file))
    assert shown.returncode == 0, shown.stderr
    with psycopg.connect(project_env.dsn()) as conn:
        payload, origin = conn.execute(
            "select payload, origin from raw_quarantine.quarantined_records "
            "where quarantine_id = %s",
            [record_id],
        ).fetchone()
    assert payload_file.read_bytes() == bytes(payload)
    assert f"origin          {origin}" in shown.stdout and reason in shown.stdout

    missing = single_error_line(beejan("quarantine", "show", "0000000000"))
    assert "no quarantined record" in missing
