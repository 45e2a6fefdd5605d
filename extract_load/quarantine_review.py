"""Reading the quarantine back, for the operator: which records were set aside (filtered by
source, reason, status, day and load), how many per reason and status, and one record whole,
with its exact payload. Reads `raw_quarantine.quarantined_records` and the operators' decisions
(`raw_quarantine.quarantine_decisions`), the views over every source's tables.

A record's status, and its reason after a replay that was still unusable, are the view's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from beejan.core.connections import PostgresConnection
from beejan.core.errors import BeejanError
from extract_load.quarantine import QUARANTINE_TABLE, QUARANTINE_VIEW_SCHEMA

PREVIEW_CHARS = 60
STATUSES = ("open", "replayed", "dismissed")
RECORDS = sql.SQL(
    "(select quarantine_id, source, current_reason as reason, current_detail as detail, "
    "reason as first_reason, status, decided_by, decided_at, decision_detail, origin, "
    "quarantined_at, payload_bytes, payload, _dlt_load_id as load_id from {}) as records"
).format(sql.Identifier(QUARANTINE_VIEW_SCHEMA, QUARANTINE_TABLE))


@dataclass(frozen=True)
class Filters:
    source: str | None = None
    reason: str | None = None
    status: str | None = None
    since: date | None = None  # quarantined on or after this day (UTC)
    until: date | None = None  # quarantined on or before this day (UTC)
    load_id: str | None = None

    def where(self) -> tuple[sql.Composable, list[object]]:
        conditions: list[sql.Composable] = [sql.SQL("true")]
        values: list[object] = []
        for column, value in (
            ("source", self.source),
            ("reason", self.reason),
            ("status", self.status),
            ("load_id", self.load_id),
        ):
            if value is not None:
                conditions.append(sql.SQL("{} = %s").format(sql.Identifier(column)))
                values.append(value)
        if self.since is not None:
            conditions.append(sql.SQL("quarantined_at >= %s"))
            values.append(datetime.combine(self.since, datetime.min.time()))
        if self.until is not None:
            conditions.append(sql.SQL("quarantined_at < %s"))
            values.append(datetime.combine(self.until + timedelta(days=1), datetime.min.time()))
        return sql.SQL(" and ").join(conditions), values


def list_records(connection: PostgresConnection, filters: Filters, limit: int) -> list[dict]:
    """The newest records first, with a preview of the payload instead of the payload."""
    where, values = filters.where()
    query = sql.SQL(
        "select quarantine_id, source, reason, status, origin, quarantined_at, payload_bytes, "
        "load_id, substring(payload from 1 for {preview}) as preview "
        "from {records} where {where} order by quarantined_at desc, quarantine_id limit %s"
    ).format(preview=sql.Literal(PREVIEW_CHARS * 4), records=RECORDS, where=where)
    rows = _query(connection, query, [*values, limit])
    for row in rows:
        row["preview"] = printable(bytes(row["preview"]))[:PREVIEW_CHARS]
    return rows


def count_by_reason(connection: PostgresConnection, filters: Filters) -> list[dict]:
    """Records per source and (current) reason: all of them, and how many are in each status."""
    where, values = filters.where()
    by_status = sql.SQL(", ").join(
        sql.SQL("count(*) filter (where status = {}) as {}").format(
            sql.Literal(status), sql.Identifier(status)
        )
        for status in STATUSES
    )
    query = sql.SQL(
        "select source, reason, count(*) as records, {by_status} from {records} where {where} "
        "group by source, reason order by records desc, source, reason"
    ).format(by_status=by_status, records=RECORDS, where=where)
    return _query(connection, query, values)


def get_record(connection: PostgresConnection, id_prefix: str) -> dict:
    """One record whole, by its id or an unambiguous prefix of it (at least 8 characters)."""
    if len(id_prefix) < 8:
        raise BeejanError("give at least the first 8 characters of the record's id")
    query = sql.SQL(
        "select quarantine_id, source, status, reason, detail, first_reason, decided_by, "
        "decided_at, decision_detail, origin, quarantined_at, payload_bytes, load_id, payload "
        "from {records} where quarantine_id like %s limit 2"
    ).format(records=RECORDS)
    rows = _query(connection, query, [id_prefix.lower() + "%"])
    if not rows:
        raise BeejanError(f"no quarantined record has an id starting {id_prefix!r}")
    if len(rows) > 1:
        raise BeejanError(f"several quarantined records have an id starting {id_prefix!r}")
    [record] = rows
    record["payload"] = bytes(record["payload"])
    return record


def _query(connection: PostgresConnection, query: sql.Composable, values: list) -> list[dict]:
    view = f"{QUARANTINE_VIEW_SCHEMA}.{QUARANTINE_TABLE}"
    with psycopg.connect(connection.dsn(), row_factory=dict_row) as conn:
        exists = conn.execute("select to_regclass(%s) is not null as found", [view])
        if not exists.fetchone()["found"]:  # no source has quarantined anything yet
            return []
        return conn.execute(query, values).fetchall()


def printable(payload: bytes) -> str:
    """Bytes as one line of text: invalid UTF-8, control characters and line breaks escaped."""
    text = payload.decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
