"""The bulk path: a source's good rows travel to dlt as Arrow tables and reach PostgreSQL by a
binary COPY, not one INSERT per row.

dlt writes Arrow tables to Parquet as it extracts them, skips its per-row normalisation, and
loads the Parquet files through ADBC's PostgreSQL driver (binary COPY): text arrives byte for
byte, an empty string stays an empty string (a CSV COPY would read it as NULL). Quarantined
records and the file registry stay Python rows loaded by INSERT: a few per load, where a COPY
would gain nothing.

Rows are gathered into tables of about `BATCH_ROWS` rows, across files and pages: one Arrow
table per file would cost dlt a schema merge per file. Memory grows with the batch, not with the
run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import pyarrow as pa

BATCH_ROWS = 50_000
FILE_FORMAT = "parquet"  # the raw table's dlt `file_format` hint: loaded by ADBC's binary COPY
# the bookkeeping tables' hint (quarantine, file registry, decisions): a few rows per load
ROW_FILE_FORMAT = "insert_values"
INSTANT = pa.timestamp("us", tz="UTC")

# dlt leaves out its row id and load id on Arrow items unless told; raw tables carry both
NORMALIZE_CONFIG = {
    "normalize.parquet_normalizer.add_dlt_id": True,
    "normalize.parquet_normalizer.add_dlt_load_id": True,
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


def batched(items: Iterable[Any], schema: pa.Schema) -> Iterator[Any]:
    """A source's items with its rows gathered into Arrow tables of about BATCH_ROWS rows: a
    list is rows to gather (across files or pages), anything else (a quarantined record, a
    registry entry) passes straight on. All of them land in the same load package."""
    gathered: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, list):
            yield item
            continue
        gathered.extend(item)
        if len(gathered) >= BATCH_ROWS:
            yield to_table(gathered, schema)
            gathered = []
    if gathered:
        yield to_table(gathered, schema)


def stamp(item: Any, column: str, moment: datetime) -> Any:
    """`item` (an Arrow table or a row) with `column` set to `moment` on every row."""
    if isinstance(item, pa.Table):
        return item.append_column(column, pa.repeat(pa.scalar(moment, INSTANT), item.num_rows))
    return {**item, column: moment}
