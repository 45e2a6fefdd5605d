"""Website complaint form: the CMS's daily CSV exports, one row per submission.

Values land as the text the CMS wrote, plus `submitted_at_utc`: the instant `submitted_at`
means in whichever of the CMS's three formats it was exported (`20/11/2026 08:14` and
`2026-11-20 08:14:03` are Lagos wall time, `2026-11-20T07:14:03Z` is UTC). New columns of a
newer CMS version add columns to the raw table.

The export is split into records on the bytes, a record ending at a newline outside quotes, so
every record can be quarantined exactly as it was written: a row that does not fit the header,
has no `submission_id`, an unreadable `submitted_at`, or is not UTF-8. An export without its
header row, or that cannot be read, is quarantined whole, once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa

from beejan.core.errors import BeejanError
from extract_load.bulk import BATCH_ROWS, FILE_FORMAT, INSTANT, Rows, arrow_schema, tabled, to_table
from extract_load.files import KnownFile, LandedFile, Window, file_and_line, read_landed
from extract_load.quarantine import Reason, UnusableRecord, check_storable, quarantined
from extract_load.web_forms.columnar import plain_block_table
from extract_load.web_forms.timestamps import parse_cms_timestamp

SOURCE = "web_forms"
GLOB = "web_complaints_*.csv"
REQUIRED_COLUMNS = ("submission_id", "submitted_at", "message")
LOADER_COLUMNS = ("submitted_at_utc", "source_file", "row_number")
BOM = b"\xef\xbb\xbf"
CsvRecord = tuple[int, bytes, bool]  # (line number, bytes without the line ending, quotes balanced)
RESOURCE = {  # the dlt hints of the raw table, for loads and for replays of quarantined rows
    "name": "submissions",
    "primary_key": "submission_id",
    "write_disposition": "merge",
    "file_format": FILE_FORMAT,
    # every CSV value as exported (dlt would otherwise detect dates and numbers)
    "columns": {
        "submitted_at": {"data_type": "text"},
        "submitted_at_utc": {"data_type": "timestamp"},
        "row_number": {"data_type": "bigint"},
    },
}
# the export's own columns are text, whichever its header names (see bulk.rows_table)
ARROW = arrow_schema(
    {name: pa.string() for name in REQUIRED_COLUMNS}
    | {"submitted_at_utc": INSTANT, "source_file": pa.string(), "row_number": pa.int64()}
)
bulk_item = partial(to_table, schema=ARROW)  # a replayed row as its load yields it


def csv_records(lines: Iterable[bytes]) -> Iterator[CsvRecord]:
    """(line number, bytes without the line ending, quotes balanced) of every record of
    `lines` (each with its b"\\n", but a last one). A record ends at a newline outside quotes:
    quote characters are counted line by line."""
    parts: list[bytes] = []
    first_line, quotes = 1, 0
    for number, line in enumerate(lines, start=1):
        parts.append(line)
        quotes += line.count(b'"')
        if quotes % 2 == 0 and line.endswith(b"\n"):
            record = (parts[0] if len(parts) == 1 else b"".join(parts))[:-1]
            yield first_line, record.removesuffix(b"\r"), True
            parts, quotes, first_line = [], 0, number + 1
    if parts:  # a last record without its line ending
        yield first_line, b"".join(parts), quotes % 2 == 0


def parse_fields(record: bytes) -> list[str]:
    try:
        text = record.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnusableRecord(Reason.INVALID_UTF8, f"not UTF-8 at byte {error.start}") from error
    try:
        return next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as error:
        raise UnusableRecord(Reason.UNPARSEABLE_RECORD, f"not CSV: {error}") from error


def parse_row(header: list[str], record: bytes, origin: str, number: int) -> tuple[Any, ...]:
    values = parse_fields(record)
    if len(values) != len(header):
        raise UnusableRecord(
            Reason.FIELD_COUNT_MISMATCH, f"{len(values)} fields, the header has {len(header)}"
        )
    if b"\x00" in record:  # UTF-8 holds no lone surrogate: a NUL is all PostgreSQL refuses
        check_storable(dict(zip(header, values, strict=True)))
    if not values[header.index("submission_id")].strip():
        raise UnusableRecord(Reason.MISSING_FIELD, "no submission_id")
    try:
        submitted = parse_cms_timestamp(values[header.index("submitted_at")])
    except ValueError as error:
        raise UnusableRecord(Reason.BAD_TIMESTAMP, str(error)) from error
    return (*values, submitted, origin, number)


def layout(header: list[str]) -> tuple[str, ...]:
    """The names of a raw row's values: the export's header, then the loader's columns."""
    return (*header, *LOADER_COLUMNS)


def parse_record(
    header: list[str], record: bytes, balanced: bool, origin: str, number: int, max_bytes: int
) -> dict[str, Any]:
    """One CSV record of an export as a raw row; UnusableRecord says why it cannot be one."""
    values = parse_values(header, record, balanced, origin, number, max_bytes)
    return dict(zip(layout(header), values, strict=True))


def parse_values(
    header: list[str], record: bytes, balanced: bool, origin: str, number: int, max_bytes: int
) -> tuple[Any, ...]:
    """One CSV record's raw row, its values in the order of `layout(header)`."""
    if len(record) > max_bytes:
        raise UnusableRecord(
            Reason.RECORD_TOO_LARGE, f"{len(record)} bytes, the limit is {max_bytes}"
        )
    if not balanced:
        raise UnusableRecord(Reason.UNPARSEABLE_RECORD, "a quoted field is never closed")
    return parse_row(header, record, origin, number)


def replay_row(
    payload: bytes, origin: str, known: dict[str, KnownFile], max_bytes: int
) -> dict[str, Any]:
    """A corrected quarantined row, read as row `origin` (`<export>:<line>`) of its export,
    with the header the registry kept of that export."""
    path, number = file_and_line(origin)
    header = known[path].header if path in known else None
    if header is None:
        raise BeejanError(
            f"the file registry holds no header of {path} (read before headers were kept): "
            "land the corrected export again instead"
        )
    records = list(csv_records(io.BytesIO(payload)))
    if len(records) != 1:
        raise UnusableRecord(
            Reason.UNPARSEABLE_RECORD, f"{len(records)} CSV records where one row was expected"
        )
    [(_, record, balanced)] = records
    return parse_record(parse_fields(header.encode()), record, balanced, path, number, max_bytes)


def header_problem(header: list[str]) -> str | None:
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        return f"the first row is not the export's header (no {', '.join(missing)})"
    clashing = sorted({name for name in header if name.startswith("_") or name in LOADER_COLUMNS})
    if clashing or len(set(header)) != len(header):
        return f"the header repeats a column or uses a reserved name: {clashing or header}"
    return None


def read_export(landed: LandedFile, max_bytes: int) -> Iterator[Any]:
    """The rows (Arrow tables or `Rows`, of up to BATCH_ROWS) and quarantined records of one
    export, then its registry entry. A block of plain records is read at once
    (columnar.plain_block_table); any other block record by record."""
    with landed.lines() as lines:
        records = csv_records(_without_bom(lines))
        header_record = next(records, None)
        try:
            header = parse_fields(header_record[1]) if header_record else []
            problem = header_problem(header)
        except UnusableRecord as error:
            problem = str(error)
        if problem:
            payload = landed.stored_bytes()
            yield quarantined(SOURCE, Reason.MISSING_HEADER, payload, landed.path, problem)
            yield landed.registry_entry("quarantined", 0, 1)
            return
        loaded, bad = 0, 0
        for block in _blocks(records):  # memory grows with a block, not with the file
            table = plain_block_table(header, block, landed.path, max_bytes)
            if table is not None:
                loaded += table.num_rows
                yield table
                continue
            rows = Rows(layout(header))
            for number, record, balanced in block:
                try:
                    values = parse_values(header, record, balanced, landed.path, number, max_bytes)
                except UnusableRecord as error:
                    bad += 1
                    origin = f"{landed.path}:{number}"
                    yield quarantined(SOURCE, error.reason, record, origin, error.detail)
                    continue
                rows.values.append(values)
            loaded += len(rows.values)
            if rows.values:
                yield rows
    yield landed.registry_entry("loaded", loaded, bad, header_record[1].decode("utf-8"))


def _blocks(records: Iterator[CsvRecord]) -> Iterator[list[CsvRecord]]:
    """The records that are not blank, BATCH_ROWS at a time."""
    filled = (record for record in records if record[1].strip())
    while block := list(islice(filled, BATCH_ROWS)):
        yield block


def _without_bom(lines: Iterable[bytes]) -> Iterator[bytes]:
    lines = iter(lines)
    first = next(lines, None)
    if first is not None:
        yield first.removeprefix(BOM)
        yield from lines


def read_exports(
    folder: Path, known: dict[str, KnownFile], window: Window, max_bytes: int
) -> Iterator[Any]:
    return read_landed(folder, GLOB, known, window, lambda file: read_export(file, max_bytes))


@dlt.source(name=SOURCE)
def web_forms_source(
    folder: Path, known: dict[str, KnownFile], window: Window, max_record_bytes: int
) -> dlt.sources.DltResource:
    @dlt.resource(**RESOURCE)
    def submissions() -> Iterator[Any]:
        yield from tabled(read_exports(folder, known, window, max_record_bytes), ARROW)

    return submissions
