"""Threshold alerts, raised after each run beside the failure alerts:

- a source quarantined more records in this run than BEEJAN_ALERT_QUARANTINE_THRESHOLD;
- a source loaded nothing although it did in each of its last BEEJAN_ALERT_SILENT_SOURCE_RUNS
  completed runs (read from the audit trail);
- the outage early warning: a complaint spike that no CRM incident explains (from
  `fct_outage_spikes`, once that mart is built), each spike alerted once.

Each alert names the source or spike, the threshold and the value, and is kept in
`audit.alerts`.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql

from beejan.core.connections import PostgresConnection
from beejan.core.settings import Settings
from beejan.dbt_runner import marts_schema
from flows.notify import send_alert

MOST_SPIKES_LISTED = 10


@dataclass(frozen=True)
class Alert:
    kind: str  # quarantine_threshold, silent_source, unexplained_spike
    subjects: tuple[str, ...]  # the source, or the keys of the spikes it tells of
    title: str
    body: str


def raise_threshold_alerts(
    connection: PostgresConnection, settings: Settings, run_id: str, results: dict[str, dict]
) -> list[Alert]:
    """Send and record the alerts this run's results and the marts call for; returns them."""
    with psycopg.connect(connection.dsn(), autocommit=True) as conn:
        alerts = [
            *quarantine_alerts(results, settings.alert_quarantine_threshold),
            *silent_source_alerts(conn, run_id, results, settings.alert_silent_source_runs),
            # the spikes are read from the marts in PostgreSQL (none on the spark engine)
            *([] if settings.on_lake else unexplained_spike_alerts(conn, marts_schema(settings))),
        ]
        for alert in alerts:
            send_alert(settings, alert.title, alert.body)
            with conn.cursor() as cursor:
                cursor.executemany(
                    "insert into audit.alerts (run_id, kind, subject, message) "
                    "values (%s, %s, %s, %s) on conflict (run_id, kind, subject) do nothing",
                    [
                        (run_id, alert.kind, subject, f"{alert.title}: {alert.body}")
                        for subject in alert.subjects
                    ],
                )
    return alerts


def quarantine_alerts(results: dict[str, dict], threshold: int) -> list[Alert]:
    alerts = []
    for source, result in sorted(results.items()):
        by_reason = result.get("quarantined") or {}
        total = sum(by_reason.values())
        if total > threshold:
            reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(by_reason.items()))
            alerts.append(
                Alert(
                    "quarantine_threshold",
                    (source,),
                    f"{source}: {total} records quarantined",
                    f"Source {source} quarantined {total} records in one run, above the "
                    f"threshold of {threshold} (BEEJAN_ALERT_QUARANTINE_THRESHOLD). "
                    f"Reasons: {reasons}. See `beejan quarantine list --source {source}`.",
                )
            )
    return alerts


def silent_source_alerts(
    conn: psycopg.Connection, run_id: str, results: dict[str, dict], runs: int
) -> list[Alert]:
    alerts = []
    for source, result in sorted(results.items()):
        if result.get("error") or result.get("rows") is None or sum(result["rows"].values()):
            continue
        previous = conn.execute(
            """
            select source_results -> %(source)s -> 'rows'
            from audit.pipeline_runs
            where status = 'completed' and run_id <> %(run_id)s
                and source_results ? %(source)s
            order by started_at desc
            limit %(runs)s
            """,
            {"source": source, "run_id": run_id, "runs": runs},
        ).fetchall()
        loaded = [sum((rows or {}).values()) for (rows,) in previous]
        if len(loaded) == runs and all(loaded):
            alerts.append(
                Alert(
                    "silent_source",
                    (source,),
                    f"{source}: loaded nothing",
                    f"Source {source} loaded 0 records, although each of its last {runs} "
                    f"completed runs loaded some ({', '.join(map(str, loaded))}; threshold "
                    f"BEEJAN_ALERT_SILENT_SOURCE_RUNS={runs}). Is the source system sending?",
                )
            )
    return alerts


def unexplained_spike_alerts(conn: psycopg.Connection, marts: str) -> list[Alert]:
    """One alert per spike no incident explains, the first time a run sees it."""
    spikes = sql.Identifier(marts, "fct_outage_spikes")
    if conn.execute("select to_regclass(%s)", (spikes.as_string(conn),)).fetchone()[0] is None:
        return []
    rows = conn.execute(
        sql.SQL(
            """
            select outage_spike_key, region_code, category_code, detected_at,
                peak_complaints_per_window, expected_complaints_per_window
            from {} as spikes
            where not is_explained
                and not exists (
                    select from audit.alerts
                    where kind = 'unexplained_spike' and subject = spikes.outage_spike_key
                )
            order by detected_at
            """
        ).format(spikes)
    ).fetchall()
    told = [
        f"{peak} {category} complaints in {region} within one window from "
        f"{detected:%Y-%m-%d %H:%M} UTC, against {expected:.2f} expected"
        for _, region, category, detected, peak, expected in rows
    ]
    threshold = "spike threshold: dbt vars spike_min_complaints and spike_z"
    if len(rows) <= MOST_SPIKES_LISTED:  # one alert each
        return [
            Alert(
                "unexplained_spike",
                (key,),
                f"possible outage: {category} complaints in {region}",
                f"{text} ({threshold}); no network incident in the CRM explains it.",
            )
            for (key, region, category, *_), text in zip(rows, told, strict=True)
        ]
    listed = "\n".join(told[-MOST_SPIKES_LISTED:])
    return [  # a first run over a long history: one alert, not a flood
        Alert(
            "unexplained_spike",
            tuple(key for key, *_ in rows),
            f"{len(rows)} possible outages",
            f"{len(rows)} complaint spikes that no network incident in the CRM explains "
            f"({threshold}); the latest {MOST_SPIKES_LISTED}:\n{listed}",
        )
    ]
