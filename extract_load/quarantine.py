"""The dead letters: what a loader cannot use, kept with why, the original bytes and where they
came from.

Every dlt source yields its quarantined records from the same resource as its good rows,
routed to the `quarantined_records` table of the source's own raw schema (a dlt table variant).
They are therefore written in the same load package as the rows and the source's state: a
crash can never move a cursor past a record that is in neither table.

A record's id is a hash of (source, origin, payload), and the table only inserts ids it does not
hold yet (dlt's `insert-only` merge), so re-reading the same broken input never adds it twice
and a record keeps the time and load in which it was first set aside.

`raw_quarantine.quarantined_records` is a view over every source's table: the one place where
models and operators find what was set aside.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql

from beejan.core.connections import PostgresConnection
from extract_load.bulk import ROW_FILE_FORMAT

if TYPE_CHECKING:
    from dlt.extract.items import DataItemWithMeta

QUARANTINE_TABLE = "quarantined_records"


class Reason(StrEnum):
    """Stable reason codes: reports count by these; the exception text goes to `detail`."""

    CUT_OFF_LINE = "cut_off_line"  # a file's last line without its newline: copied while written
    UNREADABLE_FILE = "unreadable_file"  # not gzip, truncated gzip, or no line of it is readable
    MISSING_HEADER = "missing_header"  # a CSV export without its header row
    INVALID_UTF8 = "invalid_utf8"
    NUL_BYTE = "nul_byte"  # PostgreSQL text cannot hold NUL: kept here, byte for byte
    RECORD_TOO_LARGE = "record_too_large"  # above BEEJAN_MAX_RECORD_BYTES
    UNPARSEABLE_RECORD = "unparseable_record"  # not logfmt, unbalanced CSV quotes, not JSON
    FIELD_COUNT_MISMATCH = "field_count_mismatch"  # a CSV row that does not fit the header
    MISSING_FIELD = "missing_field"  # the natural key or the event time is absent
    BAD_TIMESTAMP = "bad_timestamp"  # the event time is there but cannot be read
    INVALID_VALUE = "invalid_value"  # a field breaks the source's contract (e.g. a tweet id)


RECORD_COLUMN_HINTS = {
    "quarantine_id": {"data_type": "text", "nullable": False},
    "source": {"data_type": "text", "nullable": False},
    "reason": {"data_type": "text", "nullable": False},
    "detail": {"data_type": "text"},
    "payload": {"data_type": "binary", "nullable": False},
    "payload_bytes": {"data_type": "bigint"},
    "origin": {"data_type": "text", "nullable": False},
    "quarantined_at": {"data_type": "timestamp", "nullable": False},
}


def quarantined(
    source: str, reason: Reason, payload: bytes, origin: str, detail: str = ""
) -> DataItemWithMeta:
    """A record for the quarantine table, to be yielded by the source's resource.

    ``payload`` is what arrived, byte for byte: the line or CSV row without its line ending, the
    whole file when the file itself is unreadable, or an API record as JSON text."""
    digest = hashlib.sha256(b"\x1f".join((source.encode(), origin.encode(), payload)))
    record = {
        "quarantine_id": digest.hexdigest(),
        "source": source,
        "reason": reason.value,
        "detail": detail[:1000],
        "payload": payload,
        "payload_bytes": len(payload),
        "origin": origin,
        "quarantined_at": datetime.now(UTC),
    }
    return _with_hints(record, QUARANTINE_TABLE)


def as_json(record: object) -> bytes:
    """An API record as it was received, as JSON text (keys in the order they arrived)."""
    return json.dumps(record, ensure_ascii=False).encode("utf-8", "surrogatepass")


def from_json(payload: bytes) -> object:
    """A corrected API record (JSON text) back as the API would have sent it."""
    try:
        return json.loads(payload.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise UnusableRecord(Reason.INVALID_UTF8, f"not UTF-8 at byte {error.start}") from error
    except json.JSONDecodeError as error:
        raise UnusableRecord(Reason.UNPARSEABLE_RECORD, f"not JSON: {error}") from error


class UnusableRecord(Exception):
    """A record the warehouse cannot use, with the reason code and a detail for people."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def check_storable(record: dict[str, object]) -> None:
    """UnusableRecord when a text value cannot be stored in PostgreSQL as it is: a NUL
    character, or a lone surrogate (an escape like `\\ud83d` without its pair)."""
    texts = "".join(value for value in record.values() if isinstance(value, str))
    if "\x00" not in texts and (texts.isascii() or _encodes(texts)):
        return  # the usual case, settled for all the record's texts at once
    for key, value in record.items():
        if not isinstance(value, str):
            continue
        if "\x00" in value:
            raise UnusableRecord(Reason.NUL_BYTE, f"field {key!r} holds a NUL character")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise UnusableRecord(
                Reason.INVALID_UTF8, f"field {key!r} holds a lone surrogate"
            ) from error


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Outcome(StrEnum):
    """What an operator's decision on a quarantined record came to."""

    REPLAYED = "replayed"  # the corrected payload parsed and landed in raw
    REQUARANTINED = "requarantined"  # the corrected payload is still unusable: `reason` says why
    DISMISSED = "dismissed"  # set aside for good, with the operator's reason


DECISIONS_TABLE = "quarantine_decisions"
DECISION_COLUMN_HINTS = {
    "decision_id": {"data_type": "text", "nullable": False},
    "quarantine_id": {"data_type": "text", "nullable": False},
    "source": {"data_type": "text", "nullable": False},
    "outcome": {"data_type": "text", "nullable": False},
    "reason": {"data_type": "text"},  # the new reason code of a requarantined replay
    "detail": {"data_type": "text"},  # the parser's words, or why it was dismissed
    "payload": {"data_type": "binary"},  # the corrected payload that was replayed
    "decided_by": {"data_type": "text", "nullable": False},
    "decided_at": {"data_type": "timestamp", "nullable": False},
}
TABLE_HINTS = {  # dlt's hints of each table, but for the file format
    QUARANTINE_TABLE: {
        "primary_key": "quarantine_id",
        "write_disposition": {"disposition": "merge", "strategy": "insert-only"},
        "columns": RECORD_COLUMN_HINTS,
    },
    DECISIONS_TABLE: {
        "primary_key": "decision_id",  # its own, or the variant would inherit the source table's
        "write_disposition": "append",  # a record's history: every decision is kept
        "columns": DECISION_COLUMN_HINTS,
    },
}


@cache
def _hints(table: str) -> Any:
    """dlt's hints of `table`, made when a loader first sets a record aside or decides on one:
    the review tools read this module's names and SQL without importing dlt."""
    import dlt

    return dlt.mark.make_hints(table_name=table, file_format=ROW_FILE_FORMAT, **TABLE_HINTS[table])


def _with_hints(row: dict[str, Any], table: str) -> DataItemWithMeta:
    import dlt

    return dlt.mark.with_hints(row, _hints(table), create_table_variant=True)


def decision(
    record: dict[str, object],
    outcome: Outcome,
    decided_by: str,
    *,
    reason: str | None = None,
    detail: str = "",
    payload: bytes | None = None,
) -> DataItemWithMeta:
    """An operator's decision on the quarantined `record`, for its source's decisions table."""
    decided_at = datetime.now(UTC)
    key = f"{record['quarantine_id']}:{outcome}:{decided_at.isoformat()}"
    row = {
        "decision_id": hashlib.sha256(key.encode()).hexdigest(),
        "quarantine_id": record["quarantine_id"],
        "source": record["source"],
        "outcome": outcome.value,
        "reason": reason,
        "detail": detail[:1000],
        "payload": payload,
        "decided_by": decided_by,
        "decided_at": decided_at,
    }
    return _with_hints(row, DECISIONS_TABLE)


QUARANTINE_VIEW_SCHEMA = "raw_quarantine"
RECORD_COLUMNS = (*RECORD_COLUMN_HINTS, "_dlt_load_id")
DECISION_COLUMNS = (*DECISION_COLUMN_HINTS, "_dlt_load_id")
# a record's status, from its latest decision: replayed or dismissed closes it. A replay that
# was still unusable leaves it open; its reason is then the one that replay met
STATUS_COLUMNS = sql.SQL(
    """
    case when latest.outcome in ('replayed', 'dismissed') then latest.outcome else 'open' end
        as status,
    coalesce(failed.reason, records.reason) as current_reason,
    coalesce(failed.detail, records.detail) as current_detail,
    latest.decided_by,
    latest.decided_at,
    latest.detail as decision_detail"""
)


def publish_quarantine_view(connection: PostgresConnection) -> None:
    """The views of every source's quarantine, for the warehouse's models and for people:
    `raw_quarantine.quarantine_decisions` (the operators' decisions, empty before the first)
    and `raw_quarantine.quarantined_records` (each record with its status). Rebuilt after
    loads, as a source's tables appear with their first record; no records view before the
    first record is quarantined, so that models know to build empty."""
    with psycopg.connect(connection.dsn(), autocommit=True) as conn:
        record_tables = _tables(conn, QUARANTINE_TABLE)
        if not record_tables:
            return
        decision_tables = _tables(conn, DECISIONS_TABLE)
        decisions = (
            _union(DECISIONS_TABLE, decision_tables, DECISION_COLUMNS)
            if decision_tables
            else _no_decisions()
        )
        conn.execute(
            sql.SQL("create schema if not exists {}").format(sql.Identifier(QUARANTINE_VIEW_SCHEMA))
        )
        conn.execute(
            sql.SQL("create or replace view {} as {}").format(
                sql.Identifier(QUARANTINE_VIEW_SCHEMA, DECISIONS_TABLE),
                decisions,
            )
        )
        conn.execute(
            sql.SQL(
                """create or replace view {view} as
                with records as ({records}),
                latest as (
                    select distinct on (quarantine_id) *
                    from {decisions}
                    order by quarantine_id, decided_at desc
                ),
                failed as (
                    select distinct on (quarantine_id) *
                    from {decisions}
                    where outcome = 'requarantined'
                    order by quarantine_id, decided_at desc
                )
                select {columns}, {status}
                from records
                left join latest on records.quarantine_id = latest.quarantine_id
                left join failed on records.quarantine_id = failed.quarantine_id"""
            ).format(
                view=sql.Identifier(QUARANTINE_VIEW_SCHEMA, QUARANTINE_TABLE),
                records=_union(QUARANTINE_TABLE, record_tables, RECORD_COLUMNS),
                decisions=sql.Identifier(QUARANTINE_VIEW_SCHEMA, DECISIONS_TABLE),
                columns=sql.SQL(", ").join(
                    sql.Identifier("records", name) for name in RECORD_COLUMNS
                ),
                status=STATUS_COLUMNS,
            )
        )


def _tables(conn: psycopg.Connection, table: str) -> list[str]:
    """The raw schemas that hold `table`."""
    rows = conn.execute(
        # dlt merges through `<dataset>_staging` schemas: those hold work in progress
        "select table_schema from information_schema.tables "
        "where table_name = %s and table_schema like 'raw\\_%%' "
        "and table_schema <> %s and table_schema not like '%%\\_staging' order by 1",
        (table, QUARANTINE_VIEW_SCHEMA),
    )
    return [schema for (schema,) in rows]


def _union(table: str, schemas: list[str], columns: tuple[str, ...]) -> sql.Composable:
    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    return sql.SQL(" union all ").join(
        sql.SQL("select {} from {}").format(names, sql.Identifier(schema, table))
        for schema in schemas
    )


def _no_decisions() -> sql.Composable:
    """No rows, typed as dlt will create the decisions table."""
    types = {"text": "varchar", "binary": "bytea", "timestamp": "timestamptz"}
    hints = DECISION_COLUMN_HINTS
    typed = [
        sql.SQL("null::{} as {}").format(
            sql.SQL(types[hints[name]["data_type"]] if name in hints else "varchar"),
            sql.Identifier(name),
        )
        for name in DECISION_COLUMNS
    ]
    return sql.SQL("select {} where false").format(sql.SQL(", ").join(typed))
