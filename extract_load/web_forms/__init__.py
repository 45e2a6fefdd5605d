"""Website complaint form: the CMS's daily CSV exports, one row per submission.

Read with the standard CSV reader (BOM, CRLF, quoted commas and newlines). Values land as the
text the CMS wrote (staging parses `submitted_at`'s three formats); new columns of a newer CMS
version simply add columns to the raw table. A row that does not fit the header, or has no
`submission_id`, goes to quarantine.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import dlt
from dlt.sources.filesystem import FileItemDict

from extract_load.landing import landed_files, read_text
from extract_load.quarantine import Quarantine


def parse_export(text: str, origin: str, quarantine: Quarantine) -> Iterator[dict]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for row in reader:
        where = f"{origin}:row {reader.line_num}"
        if None in row or None in row.values():
            payload = ",".join(str(value) for value in row.values())
            quarantine.add("row does not match the header", payload, where)
            continue
        if not row.get("submission_id", "").strip():
            quarantine.add("missing submission_id", ",".join(row.values()), where)
            continue
        yield {**row, "source_file": origin}


@dlt.source(name="web_forms")
def web_forms_source(
    folder: Path,
    quarantine: Quarantine,
    start_time: datetime | None = None,
    end_time: datetime | None = None,
) -> dlt.sources.DltResource:
    files = landed_files(folder, "web_complaints_*.csv", start_time, end_time)

    @dlt.transformer(
        name="submissions",
        primary_key="submission_id",
        write_disposition="merge",
        # as exported, in whichever of the CMS's three formats: staging parses it
        columns={"submitted_at": {"data_type": "text"}},
    )
    def submissions(items: list[FileItemDict]) -> Iterator[dict]:
        for item in items:
            yield from parse_export(read_text(item), item["relative_path"], quarantine)

    return files | submissions
