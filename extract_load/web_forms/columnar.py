"""The columnar path of an export: a block of plain records parsed at once by Arrow's CSV
reader, at a few microseconds a row, where the record-by-record path takes about twenty.

It only takes a block it can vouch for, and then gives the very table the record path would:
every record is plain CSV (`PLAIN_RECORD`: each field bare, without quotes, or wholly quoted),
within the size limit, free of NUL, UTF-8, with as many fields as the header, a submission id
and a readable `submitted_at` (read a column at once: timestamps.cms_instants). Anything else
hands the block back (None), and the record path reads it, quarantining what it must, with its
reasons.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.csv as pacsv

from extract_load.web_forms.timestamps import cms_instants

if TYPE_CHECKING:  # the package imports this module
    from extract_load.web_forms import CsvRecord

_FIELD = rb'(?:"[^"]*(?:""[^"]*)*"|[^",\r\n]*)'
PLAIN_RECORD = re.compile(rb"%s(?:,%s)*" % (_FIELD, _FIELD))


def plain_block_table(
    header: list[str],
    records: Sequence[CsvRecord],
    origin: str,
    max_bytes: int,
) -> pa.Table | None:
    """The raw rows of `records` (as `csv_records` gives them), in the columns of
    `layout(header)`; None when the record path must read them."""
    texts = [record for _, record, _ in records]
    # a plain record holds its quotes in pairs: quotes balanced, and one Arrow row a record
    if max(map(len, texts)) > max_bytes or not all(map(PLAIN_RECORD.fullmatch, texts)):
        return None
    block = b"\n".join(texts)
    if b"\x00" in block:
        return None
    try:
        table = pacsv.read_csv(
            io.BytesIO(block),
            read_options=pacsv.ReadOptions(column_names=header, block_size=len(block) + 1),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:  # a field too many or too few, or not UTF-8
        return None
    if not all(value.strip() for value in table.column("submission_id").to_pylist()):
        return None
    try:
        submitted = cms_instants(table.column("submitted_at").combine_chunks())
    except ValueError:
        return None
    return (
        table.append_column("submitted_at_utc", submitted)
        .append_column("source_file", pa.repeat(pa.scalar(origin, pa.string()), len(records)))
        .append_column("row_number", pa.array([number for number, *_ in records], pa.int64()))
    )
