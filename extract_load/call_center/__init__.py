"""Call-centre logs: logfmt files from the telephony platform, one row per event line.

Every event type lands in `raw_call_center.call_events` (not only complaints). The key of a
call event is `<call_id>:<event>`, so a corrected re-delivery of a file replaces the events it
restates (the latest delivery wins); lines without a call id (heartbeats) are keyed by file and
line. The contract's keys are columns; any other key a line carries goes to `extra_fields`
(JSON), so a stray or hostile key can neither add columns without end nor collide with one.

What cannot be used goes to quarantine, line by line: a last line without its newline was cut
off while the file was copied; a line that is not logfmt, not UTF-8, too long, or has no
readable `ts`. A file that cannot be read at all (not gzip, truncated, or not one readable
line) is quarantined whole, once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc

from extract_load.bulk import (
    BATCH_ROWS,
    FILE_FORMAT,
    INSTANT,
    Rows,
    arrow_schema,
    rows_table,
    tabled,
    to_table,
)
from extract_load.call_center.columnar import Line, block_table
from extract_load.call_center.logfmt import LogfmtError, parse_logfmt
from extract_load.files import KnownFile, LandedFile, Window, file_and_line, read_landed
from extract_load.quarantine import Reason, UnusableRecord, check_storable, quarantined

SOURCE = "call_center"
GLOB = "**/calls_*.log*"
CONTRACT_KEYS = (
    "ts",
    "level",
    "site",
    "event",
    "call_id",
    "agent_id",
    "caller",
    "account_no",
    "duration_s",
    "queue",
    "disposition",
    "reason_code",
    "notes",
    "queue_depth",
    "error",
)


RESOURCE = {  # the dlt hints of the raw table, for loads and for replays of quarantined lines
    "name": "call_events",
    "primary_key": "event_key",
    "write_disposition": "merge",
    "file_format": FILE_FORMAT,
    # text as logged (dlt would otherwise detect timestamps and numbers); ts is the instant
    "columns": {key: {"data_type": "text"} for key in CONTRACT_KEYS}
    | {
        "ts": {"data_type": "timestamp"},
        "ts_text": {"data_type": "text"},
        "extra_fields": {"data_type": "json"},
        "line_number": {"data_type": "bigint"},
    },
}
ARROW = arrow_schema(
    {key: pa.string() for key in CONTRACT_KEYS}
    | {
        "ts": INSTANT,
        "event_key": pa.string(),
        "ts_text": pa.string(),
        "extra_fields": pa.string(),  # JSON text
        "source_file": pa.string(),
        "line_number": pa.int64(),
    }
)
NAMES = tuple(ARROW.names)  # the order of a row's values
OTHER_KEYS = CONTRACT_KEYS[1:]  # after ts, which the row holds as an instant
CONTRACT_KEY_SET = frozenset(CONTRACT_KEYS)
bulk_item = partial(to_table, schema=ARROW)  # a replayed row as its load yields it


def parse_line(raw: bytes, origin: str, line_number: int, max_bytes: int) -> dict[str, Any]:
    """One log line as a raw row; UnusableRecord says why it cannot be one."""
    return dict(zip(NAMES, parse_values(raw, origin, line_number, max_bytes), strict=True))


def parse_values(raw: bytes, origin: str, line_number: int, max_bytes: int) -> tuple[Any, ...]:
    """One log line's raw row, its values in the order of NAMES."""
    if len(raw) > max_bytes:
        raise UnusableRecord(Reason.RECORD_TOO_LARGE, f"{len(raw)} bytes, the limit is {max_bytes}")
    try:
        text = raw.decode("utf-8").removesuffix("\r")
    except UnicodeDecodeError as error:
        raise UnusableRecord(Reason.INVALID_UTF8, f"not UTF-8 at byte {error.start}") from error
    try:
        fields = parse_logfmt(text)
    except LogfmtError as error:
        raise UnusableRecord(Reason.UNPARSEABLE_RECORD, f"not logfmt: {error}") from error
    if "\x00" in text or "\\" in text:  # else there is neither NUL nor lone surrogate
        check_storable({"line": text})  # a NUL as written (UTF-8 holds no lone surrogate)
        check_storable(fields)  # ... or an escape (\u0000, \ud83d) that the parse spelled out
    stamp = fields.get("ts")
    if not stamp:
        raise UnusableRecord(Reason.MISSING_FIELD, "no ts")
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError as error:
        raise UnusableRecord(Reason.BAD_TIMESTAMP, f"ts {stamp[:40]!r}: not ISO 8601") from error
    if moment.utcoffset() is None:
        raise UnusableRecord(Reason.BAD_TIMESTAMP, f"ts {stamp[:40]!r} has no UTC offset")
    call_id = fields.get("call_id")
    extra = None
    if fields.keys() - CONTRACT_KEY_SET:
        extra = {key: value for key, value in fields.items() if key not in CONTRACT_KEY_SET}
    return (
        moment,
        *map(fields.get, OTHER_KEYS),
        f"{call_id}:{fields.get('event')}" if call_id else f"{origin}:{line_number}",
        stamp,
        json.dumps(extra, ensure_ascii=False) if extra else None,
        origin,
        line_number,
    )


def replay_row(
    payload: bytes, origin: str, known: dict[str, KnownFile], max_bytes: int
) -> dict[str, Any]:
    """A corrected quarantined line, read as the line `origin` (`<file>:<line>`) it replaces."""
    path, line_number = file_and_line(origin)
    return parse_line(payload, path, line_number, max_bytes)


def read_log_file(landed: LandedFile, max_bytes: int) -> Iterator[Any]:
    """The rows (Arrow tables of up to BATCH_ROWS) and quarantined lines of one file, then its
    registry entry. A block of lines is read a layout at a time (columnar.block_table), what
    that leaves line by line."""
    if landed.unreadable:
        yield from _quarantined_whole(landed, landed.unreadable)
        return
    block, loaded, bad, cut_off = [], 0, [], []
    with landed.lines() as lines:
        for number, raw in enumerate(lines, start=1):
            if not raw.endswith(b"\n"):  # only the last line can lack it
                cut_off.append((*_cut_off_reason(raw), raw, f"{landed.path}:{number}"))
                continue
            line = raw[:-1]
            if line.strip():
                block.append((number, line))
            if len(block) == BATCH_ROWS:  # memory grows with a block, not with the file
                table = _block_rows(block, landed.path, max_bytes, bad)
                loaded += table.num_rows
                yield table
                block = []
    table = _block_rows(block, landed.path, max_bytes, bad)
    loaded += table.num_rows
    bad += cut_off
    if not loaded and any(reason != Reason.CUT_OFF_LINE for reason, *_ in bad):
        # nothing in it could be read: not a log file at all, one record rather than one per
        # "line" (a file holding only a line caught while written is a cut-off line, though)
        yield from _quarantined_whole(
            landed, f"no line of it could be read; the first: {bad[0][1]}"
        )
        return
    if table.num_rows:
        yield table
    for reason, detail, payload, origin in bad:
        yield quarantined(SOURCE, reason, payload, origin, detail)
    yield landed.registry_entry("loaded", loaded, len(bad))


def _block_rows(block: list[Line], origin: str, max_bytes: int, bad: list[Any]) -> pa.Table:
    """The rows of a block of lines, in their order; what cannot be a row goes to `bad`."""
    columnar, rest = block_table(block, origin, max_bytes, ARROW, CONTRACT_KEY_SET)
    rows = Rows(NAMES)
    for number, line in rest:
        try:
            rows.values.append(parse_values(line, origin, number, max_bytes))
        except UnusableRecord as error:
            bad.append((error.reason, error.detail, line, f"{origin}:{number}"))
    table = rows_table(rows, ARROW)
    if columnar is None:
        return table
    if not rows.values:
        return columnar
    merged = pa.concat_tables([columnar, table])
    return merged.take(pc.sort_indices(merged, [("line_number", "ascending")]))


def _quarantined_whole(landed: LandedFile, detail: str) -> Iterator[Any]:
    payload = landed.stored_bytes()
    yield quarantined(SOURCE, Reason.UNREADABLE_FILE, payload, landed.path, detail)
    yield landed.registry_entry("quarantined", 0, 1)


def _cut_off_reason(line: bytes) -> tuple[Reason, str]:
    """A last line without its newline was cut off while the file was copied, unless it is not
    even text (a cut may split only the very last character)."""
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as error:
        if not (error.reason == "unexpected end of data" and error.end == len(line)):
            return Reason.INVALID_UTF8, f"not UTF-8 at byte {error.start}"
    return Reason.CUT_OFF_LINE, "the last line has no newline: the file was copied while written"


def read_log_files(
    folder: Path, known: dict[str, KnownFile], window: Window, max_bytes: int
) -> Iterator[Any]:
    return read_landed(folder, GLOB, known, window, lambda file: read_log_file(file, max_bytes))


@dlt.source(name=SOURCE)
def call_center_source(
    folder: Path, known: dict[str, KnownFile], window: Window, max_record_bytes: int
) -> dlt.sources.DltResource:
    @dlt.resource(**RESOURCE)
    def call_events() -> Iterator[Any]:
        yield from tabled(read_log_files(folder, known, window, max_record_bytes), ARROW)

    return call_events
