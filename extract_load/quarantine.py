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

import dlt
import psycopg
from dlt.extract.items import DataItemWithMeta
from psycopg import sql

from beejan.core.connections import PostgresConnection

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


QUARANTINE_HINTS = dlt.mark.make_hints(
    table_name=QUARANTINE_TABLE,
    primary_key="quarantine_id",
    write_disposition={"disposition": "merge", "strategy": "insert-only"},
    columns={
        "quarantine_id": {"data_type": "text", "nullable": False},
        "source": {"data_type": "text", "nullable": False},
        "reason": {"data_type": "text", "nullable": False},
        "detail": {"data_type": "text"},
        "payload": {"data_type": "binary", "nullable": False},
        "payload_bytes": {"data_type": "bigint"},
        "origin": {"data_type": "text", "nullable": False},
        "quarantined_at": {"data_type": "timestamp", "nullable": False},
    },
)


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
    return dlt.mark.with_hints(record, QUARANTINE_HINTS, create_table_variant=True)


def as_json(record: object) -> bytes:
    """An API record as it was received, as JSON text (keys in the order they arrived)."""
    return json.dumps(record, ensure_ascii=False).encode("utf-8", "surrogatepass")


class UnusableRecord(Exception):
    """A record the warehouse cannot use, with the reason code and a detail for people."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def check_storable(record: dict[str, object]) -> None:
    """UnusableRecord when a text value cannot be stored in PostgreSQL as it is: a NUL
    character, or a lone surrogate (an escape like `\\ud83d` without its pair)."""
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


QUARANTINE_VIEW_SCHEMA = "raw_quarantine"
VIEW_COLUMNS = (
    "quarantine_id",
    "source",
    "reason",
    "detail",
    "payload",
    "payload_bytes",
    "origin",
    "quarantined_at",
    "_dlt_load_id",
)


def publish_quarantine_view(connection: PostgresConnection) -> None:
    """`raw_quarantine.quarantined_records`: every source's quarantine in one view, for the
    warehouse's models and for people. Rebuilt after loads, as a source's table appears with
    its first quarantined record."""
    columns = sql.SQL(", ").join(map(sql.Identifier, VIEW_COLUMNS))
    with psycopg.connect(connection.dsn(), autocommit=True) as conn:
        tables = conn.execute(
            # dlt merges through `<dataset>_staging` schemas: those hold work in progress
            "select table_schema from information_schema.tables "
            "where table_name = %s and table_schema like 'raw\\_%%' and table_schema <> %s "
            "and table_schema not like '%%\\_staging' order by 1",
            (QUARANTINE_TABLE, QUARANTINE_VIEW_SCHEMA),
        ).fetchall()
        if not tables:
            return
        union = sql.SQL(" union all ").join(
            sql.SQL("select {} from {}").format(columns, sql.Identifier(schema, QUARANTINE_TABLE))
            for (schema,) in tables
        )
        conn.execute(
            sql.SQL("create schema if not exists {}").format(sql.Identifier(QUARANTINE_VIEW_SCHEMA))
        )
        conn.execute(
            sql.SQL("create or replace view {} as {}").format(
                sql.Identifier(QUARANTINE_VIEW_SCHEMA, QUARANTINE_TABLE), union
            )
        )
