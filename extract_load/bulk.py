"""The bulk path: a source's good rows travel to dlt as Arrow tables and reach PostgreSQL by a
binary COPY, not one INSERT per row.

A file source's rows fill a fixed Arrow schema (its contract's columns, text as read). An API
source's rows are JSON as the API sent it: their table is typed by the raw table's declared
columns, and otherwise by the values themselves (`inferred_table`).

dlt writes Arrow tables to Parquet as it extracts them, skips its per-row normalisation, and
loads the Parquet files through ADBC's PostgreSQL driver (binary COPY): text arrives byte for
byte, an empty string stays an empty string (a CSV COPY would read it as NULL). Quarantined
records and the file registry stay Python rows loaded by INSERT, a list per table rather than
a dlt item per record: a few per load, where a COPY would gain nothing.

Rows are gathered into tables of about `BATCH_ROWS` rows, across files and pages: one Arrow
table per file would cost dlt a schema merge per file. Memory grows with the batch, not with the
run. A file source fills its rows as tuples (`Rows`), one array per column at the end, where a
dict per row and Arrow's conversion of it would cost more than the parse.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

BATCH_ROWS = 20_000
MAX_LISTED_BYTES = 16 * 1024 * 1024  # of quarantined payloads held before they are passed on
FILE_FORMAT = "parquet"  # the raw table's dlt `file_format` hint: loaded by ADBC's binary COPY
# the bookkeeping tables' hint (quarantine, file registry, decisions): a few rows per load
ROW_FILE_FORMAT = "insert_values"
INSTANT = pa.timestamp("us", tz="UTC")
# the Arrow type of a column declared in a raw table's dlt hints
DECLARED = {"text": pa.string(), "timestamp": INSTANT, "bigint": pa.int64(), "json": pa.string()}
NESTING = "__"  # how dlt's normaliser names a nested field: geo.place_id -> geo__place_id

BulkItem = Callable[[list[dict[str, Any]]], Any]  # rows -> the item a source's load yields

DLT_CONFIG = {
    # dlt leaves out its row id and load id on Arrow items unless told; raw tables carry both
    "normalize.parquet_normalizer.add_dlt_id": True,
    "normalize.parquet_normalizer.add_dlt_load_id": True,
    # ADBC's Python binding makes one table of a load job's whole file, and dlt runs its jobs
    # side by side: files of at most 50k rows, two jobs at a time, keep a big load's memory
    # bounded (a file of a million lines peaked at 757 MiB in one job; loading a million
    # complaints' raw rows peaked at 504 MiB with 100k, 449 MiB with 50k)
    "normalize.data_writer.file_max_items": 50_000,
    "load.workers": 2,
}


def arrow_schema(columns: dict[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(name, kind) for name, kind in columns.items()])


def to_table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """Rows as one Arrow table of `schema`, widened by a text column for every key it does not
    name (a column that a newer CMS version added to its export); a key a row lacks is null."""
    named = set(schema.names)
    unnamed = dict.fromkeys(key for row in rows for key in row if key not in named)
    for name in unnamed:
        schema = schema.append(pa.field(name, pa.string()))
    return pa.Table.from_pylist(rows, schema=schema)


@dataclass
class Rows:
    """A file's rows as tuples of one layout (`names`), filled line by line."""

    names: tuple[str, ...]
    values: list[tuple[Any, ...]] = field(default_factory=list)


def rows_table(rows: Rows, schema: pa.Schema) -> pa.Table:
    """`rows` as one Arrow table: a column `schema` names has its type, any other is text."""
    fields = [
        schema.field(name) if name in schema.names else pa.field(name, pa.string())
        for name in rows.names
    ]
    columns = zip(*rows.values, strict=True) if rows.values else [()] * len(fields)
    arrays = [pa.array(column, type=f.type) for column, f in zip(columns, fields, strict=True)]
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def tabled(items: Iterable[Any], schema: pa.Schema) -> Iterator[Any]:
    """A file source's items with its rows (Arrow tables, or `Rows` made tables of `schema`)
    gathered into tables of about BATCH_ROWS rows (a new layout, such as an export with another
    header, starts a table of its own), and its hinted records (quarantine, file registry) into
    a list per table: dlt computes a table's hints once an item, so once a list rather than once
    a record. Anything else passes straight on, into the same load package."""
    tables: list[pa.Table] = []
    hinted: dict[str, tuple[Any, list[dict[str, Any]]]] = {}
    hinted_bytes = 0
    for item in items:
        if isinstance(item, Rows):
            item = rows_table(item, schema)
        if isinstance(item, pa.Table):
            if tables and tables[0].schema != item.schema:
                yield pa.concat_tables(tables)
                tables = []
            tables.append(item)
            if sum(map(len, tables)) >= BATCH_ROWS:
                yield pa.concat_tables(tables)
                tables = []
        elif _hinted_record(item):
            _, records = hinted.setdefault(item.meta.hints["table_name"], (item.meta, []))
            records.append(item.data)
            hinted_bytes += len(item.data.get("payload") or b"")
            if len(records) >= BATCH_ROWS or hinted_bytes >= MAX_LISTED_BYTES:
                yield from _listed(hinted)
                hinted, hinted_bytes = {}, 0
        else:
            yield item
    if tables:
        yield pa.concat_tables(tables)
    yield from _listed(hinted)


def _hinted_record(item: Any) -> bool:
    from dlt.extract.hints import HintsMeta
    from dlt.extract.items import DataItemWithMeta

    return (
        isinstance(item, DataItemWithMeta)
        and isinstance(item.meta, HintsMeta)
        and isinstance(item.data, dict)
        and "table_name" in item.meta.hints
    )


def _listed(hinted: dict[str, tuple[Any, list[dict[str, Any]]]]) -> Iterator[Any]:
    from dlt.extract.items import DataItemWithMeta

    for meta, records in hinted.values():
        yield DataItemWithMeta(meta, records)


def inferred_table(rows: list[dict[str, Any]], declared: dict[str, dict[str, Any]]) -> Any:
    """API rows as one Arrow table: a column `declared` in the raw table's hints has its type,
    any other the type its values share. A nested object becomes `parent__child` columns, as
    dlt's normaliser names them; an array becomes JSON text; a column that is null throughout is
    left out, as the normaliser leaves it out until a value comes.

    Rows whose values share no type (a field that is a number here and text there) are returned
    as they are: dlt's normaliser gives such a field a variant column."""
    names = dict.fromkeys(name for row in rows for name in row)
    try:
        columns = {
            name: _column(
                [row.get(name) for row in rows], declared.get(name, {}).get("data_type", "")
            )
            for name in names
        }
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return rows
    return pa.table(_flattened(columns))


def _column(values: list[Any], data_type: str) -> pa.Array:
    if data_type == "json":
        values = _json_texts(values)
    return pa.array(values, type=DECLARED.get(data_type))


def _flattened(columns: dict[str, pa.Array]) -> dict[str, pa.Array]:
    flat: dict[str, pa.Array] = {}
    for name, column in columns.items():
        if pa.types.is_struct(column.type):
            children = column.flatten()  # a child is null where its parent is
            flat |= _flattened(
                {
                    f"{name}{NESTING}{field.name}": child
                    for field, child in zip(column.type, children, strict=True)
                }
            )
        elif pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            flat[name] = pa.array(_json_texts(column.to_pylist()), pa.string())
        elif not pa.types.is_null(column.type):
            flat[name] = column
    return flat


def _json_texts(values: list[Any]) -> list[str | None]:
    return [None if value is None else json.dumps(value, ensure_ascii=False) for value in values]


def batched(items: Iterable[Any], bulk_item: BulkItem) -> Iterator[Any]:
    """A source's items with its rows gathered into tables (`bulk_item(rows)`) of about
    BATCH_ROWS rows: a list is rows to gather (across files or pages), anything else (a
    quarantined record, a registry entry) passes straight on. All of them land in the same load
    package."""
    gathered: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, list):
            yield item
            continue
        gathered.extend(item)
        if len(gathered) >= BATCH_ROWS:
            yield bulk_item(gathered)
            gathered = []
    if gathered:
        yield bulk_item(gathered)


def stamp(item: Any, column: str, moment: datetime) -> Any:
    """`item` (an Arrow table or a row) with `column` set to `moment` on every row."""
    if isinstance(item, pa.Table):
        return item.append_column(column, pa.repeat(pa.scalar(moment, INSTANT), item.num_rows))
    return {**item, column: moment}
