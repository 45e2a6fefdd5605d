"""Shared by the file sources: list landed files with dlt's filesystem source, incremental on
modification time (a re-delivered file, changed or not, is read again; merging on the natural
key keeps each record once), or by the date in their path for a backfill."""

from __future__ import annotations

import gzip
import re
from datetime import date, datetime
from pathlib import Path

import dlt
from dlt.sources.filesystem import FileItemDict, filesystem

from beejan.core.errors import SourceError

DATE_IN_PATH = re.compile(r"(\d{4})[/-]?(\d{2})[/-]?(\d{2})")


def landed_files(
    folder: Path, glob: str, start_time: datetime | None, end_time: datetime | None
) -> dlt.sources.DltResource:
    if not folder.is_dir():
        raise SourceError(f"landing folder {folder} does not exist (BEEJAN_LANDING_DIR)")
    if start_time or end_time:  # backfill: every file of the range, whatever its state says
        files = filesystem(bucket_url=folder.as_uri(), file_glob=glob)
        start = start_time.date() if start_time else date.min
        end = end_time.date() if end_time else date.max
        return files.add_filter(lambda item: start <= _date_in_path(item) <= end)
    return filesystem(
        bucket_url=folder.as_uri(),
        file_glob=glob,
        incremental=dlt.sources.incremental("modification_date"),
    )


def read_text(item: FileItemDict) -> str:
    """The file's text: gzip is transparent, a UTF-8 byte-order mark is dropped."""
    data = item.read_bytes()
    if item["file_name"].endswith(".gz"):
        data = gzip.decompress(data)
    return data.decode("utf-8-sig")


def _date_in_path(item: FileItemDict) -> date:
    match = DATE_IN_PATH.search(item["relative_path"])
    return date(*map(int, match.groups())) if match else date.min
