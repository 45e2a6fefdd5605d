"""Shared by the file sources: which landed files to read, and their bytes.

Files are picked by a registry, not by modification time: `landed_files` in the source's raw
schema remembers every file read (path, size, modification time, SHA-256 of its content, and
whether it loaded or was quarantined whole). A file is read when its path is new, or when its
size or modification time changed *and* its content hash differs from the one remembered: a
file copied in with an old modification time (`cp -p`, `rsync -t`) is new all the same, an
unchanged re-delivery is skipped, a corrected file under the same name is read again, and a bad
file is quarantined once, not on every run.

Registry rows are yielded by the source's resource, so they are written in the same load as
the file's rows: a file is never remembered as read unless its records landed with it.

Files are listed through dlt's filesystem source, so the landing folder can be a local path or
an object store. A file is streamed, never held whole: one pass hashes it (and, for gzip, checks
that it decompresses to the end), the reader's pass parses it a batch of lines at a time.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

import dlt
import psycopg
from dlt.extract.items import DataItemWithMeta
from dlt.sources.filesystem import filesystem
from psycopg import sql

from beejan.core.connections import PostgresConnection
from beejan.core.errors import BeejanError, SourceError
from extract_load.bulk import ROW_FILE_FORMAT

LANDED_FILES_TABLE = "landed_files"
DATE_IN_PATH = re.compile(r"(\d{4})[/-]?(\d{2})[/-]?(\d{2})")

LANDED_FILES_HINTS = dlt.mark.make_hints(
    table_name=LANDED_FILES_TABLE,
    primary_key="path",
    file_format=ROW_FILE_FORMAT,
    write_disposition={"disposition": "merge", "strategy": "upsert"},
    columns={
        "path": {"data_type": "text", "nullable": False},
        "size_bytes": {"data_type": "bigint", "nullable": False},
        "modified_at": {"data_type": "timestamp", "nullable": False},
        "sha256": {"data_type": "text", "nullable": False},
        "outcome": {"data_type": "text", "nullable": False},
        "records": {"data_type": "bigint"},
        "quarantined_records": {"data_type": "bigint"},
        "read_at": {"data_type": "timestamp", "nullable": False},
        # a CSV export's header row, to read a quarantined row of it again when it is replayed
        "header": {"data_type": "text"},
    },
)


@dataclass(frozen=True)
class KnownFile:
    """What the registry remembers of a file read before."""

    size_bytes: int
    modified_at: datetime
    sha256: str
    outcome: str
    records: int
    quarantined_records: int
    header: str | None = None


@dataclass(frozen=True)
class Window:
    """What a load reads: what is new (the default), a backfill's date range (files whose path
    holds a date in it are read again), or everything the source still holds (from scratch)."""

    start: date | None = None
    end: date | None = None
    from_scratch: bool = False

    @property
    def is_backfill(self) -> bool:
        return self.start is not None or self.end is not None

    def holds(self, path: str) -> bool:
        match = DATE_IN_PATH.search(path)
        day = date(*map(int, match.groups())) if match else date.min
        return (self.start or date.min) <= day <= (self.end or date.max)


Opener = Callable[[], IO[bytes]]  # the file's bytes as stored, from the start
CHUNK_BYTES = 1 << 20


@dataclass
class LandedFile:
    path: str  # relative to the landing folder
    open_stored: Opener
    size_bytes: int
    modified_at: datetime
    sha256: str
    previous: KnownFile | None  # what the registry remembers of this path
    unreadable: str | None = None  # why the file as a whole cannot be read (bad gzip)

    @property
    def changed(self) -> bool:
        """False when the registry already holds this very content (a re-delivered copy)."""
        return self.previous is None or self.previous.sha256 != self.sha256

    @contextmanager
    def lines(self) -> Iterator[Iterator[bytes]]:
        """The file's lines as bytes, each with its b"\\n" but a last one cut off; decompressed
        when it is gzip (checked readable to the end when it was hashed)."""
        with self.open_stored() as stored:
            yield gzip.GzipFile(fileobj=stored) if self.path.endswith(".gz") else stored

    def stored_bytes(self) -> bytes:
        """The whole file as stored: the payload of a file quarantined whole."""
        with self.open_stored() as stored:
            return stored.read()

    def registry_entry(
        self, outcome: str, records: int, quarantined: int, header: str | None = None
    ) -> DataItemWithMeta:
        entry = {
            "path": self.path,
            "size_bytes": self.size_bytes,
            "modified_at": self.modified_at,
            "sha256": self.sha256,
            "outcome": outcome,
            "records": records,
            "quarantined_records": quarantined,
            "read_at": datetime.now(UTC),
            "header": header,
        }
        return dlt.mark.with_hints(entry, LANDED_FILES_HINTS, create_table_variant=True)

    def unchanged_entry(self) -> DataItemWithMeta:
        """The registry entry of content read before, under its new modification time."""
        assert self.previous is not None
        previous = self.previous
        return self.registry_entry(
            previous.outcome, previous.records, previous.quarantined_records, previous.header
        )


def known_files(connection: PostgresConnection, dataset: str) -> dict[str, KnownFile]:
    """The registry of a source's raw schema (empty before its first load)."""
    table = sql.Identifier(dataset, LANDED_FILES_TABLE)
    with psycopg.connect(connection.dsn()) as conn:
        exists = conn.execute("select to_regclass(%s)", (f"{dataset}.{LANDED_FILES_TABLE}",))
        if exists.fetchone()[0] is None:
            return {}
        rows = conn.execute(
            # to_jsonb: registries written before the header was kept have no such column
            sql.SQL(
                "select path, size_bytes, modified_at, sha256, outcome, records, "
                "quarantined_records, to_jsonb(registry) ->> 'header' from {} as registry"
            ).format(table)
        )
        return {path: KnownFile(*facts) for path, *facts in rows}


def file_and_line(origin: str) -> tuple[str, int]:
    """(file, line number) of a quarantined record's origin `<file>:<line>`; BeejanError for
    a file quarantined whole, which is corrected by landing it again."""
    path, _, number = origin.rpartition(":")
    if not number.isdigit():
        raise BeejanError(
            f"{origin} was quarantined as a whole file: land the corrected file again under "
            "the same name (it is read as a corrected re-delivery), then dismiss this record"
        )
    return path, int(number)


def landed_files(
    folder: Path, glob: str, known: dict[str, KnownFile], window: Window
) -> Iterator[LandedFile]:
    """The files to look at in this load: new or changed ones (every one of a backfill's
    range), each with its bytes and whether the registry already holds its content."""
    if not folder.is_dir():
        raise SourceError(f"landing folder {folder} does not exist (BEEJAN_LANDING_DIR)")
    for item in filesystem(bucket_url=folder.as_uri(), file_glob=glob):
        path = item["relative_path"]
        size, modified = item["size_in_bytes"], item["modification_date"]
        seen = known.get(path)
        if window.is_backfill:
            if not window.holds(path):
                continue
        elif window.from_scratch:
            seen = None  # read again, whatever the registry remembers
        elif seen and (seen.size_bytes, seen.modified_at) == (size, modified):
            continue
        previous = None if window.is_backfill else seen  # a backfill reads its range again
        yield inspected(
            path, lambda item=item: item.open(compression="disable"), modified, previous
        )


def inspected(
    path: str, open_stored: Opener, modified_at: datetime, previous: KnownFile | None
) -> LandedFile:
    """A landed file with its size and SHA-256, streamed in one pass that also decompresses a
    gzip file to the end: a truncated or corrupt one is unreadable before any line is read."""
    unreadable = None
    with open_stored() as stored:
        hashing = _Hashing(stored, hashlib.sha256())
        if path.endswith(".gz"):
            try:
                with gzip.GzipFile(fileobj=hashing) as unzipped:
                    while unzipped.read(CHUNK_BYTES):
                        pass
            except (OSError, EOFError, zlib.error) as error:
                unreadable = f"not a complete gzip file: {error}"
        while hashing.read(CHUNK_BYTES):  # the rest, when gzip stopped early
            pass
    digest = hashing.digest.hexdigest()
    return LandedFile(path, open_stored, hashing.size, modified_at, digest, previous, unreadable)


class _Hashing:
    """A binary stream that hashes and counts what is read through it."""

    def __init__(self, stream: IO[bytes], digest: Any) -> None:
        self.stream, self.digest, self.size = stream, digest, 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def read_landed(
    folder: Path,
    glob: str,
    known: dict[str, KnownFile],
    window: Window,
    read: Callable[[LandedFile], Iterator[Any]],
) -> Iterator[Any]:
    """What `read` makes of every file to look at in this load; of a file whose very content
    the registry holds already (a re-delivered copy), only its registry entry."""
    for landed in landed_files(folder, glob, known, window):
        if landed.changed:
            yield from read(landed)
        else:  # the same content again under a new modification time
            yield landed.unchanged_entry()
