"""Call-centre logs: logfmt files from the telephony platform, one row per event line.

Every event type lands in `raw_call_center.call_events` (not only complaints). The key of a
call event is `<call_id>:<event>`, so a corrected re-delivery of a file replaces the events it
restates (the latest delivery wins); lines without a call id (heartbeats) are keyed by file and
line. A last line without its newline was cut off while the file was copied: it goes to
quarantine, like any line that does not parse.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import dlt
from dlt.sources.filesystem import FileItemDict

from extract_load.landing import landed_files, read_text
from extract_load.quarantine import Quarantine


def parse_logfmt(line: str) -> dict[str, str]:
    """logfmt is `key=value` pairs with shell-style double quotes and backslash escapes, so the
    standard library's shell lexer (posix mode) parses it exactly; a bare key means true."""
    fields = {}
    for token in shlex.split(line, posix=True):
        key, sep, value = token.partition("=")
        if not key:
            raise ValueError(f"empty key in {token!r}")
        fields[key] = value if sep else "true"
    return fields


def parse_log_file(text: str, origin: str, quarantine: Quarantine) -> Iterator[dict]:
    lines = text.split("\n")
    cut_off = lines.pop()  # "" when the file ends with its newline
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            fields = parse_logfmt(line)
            moment = datetime.fromisoformat(fields["ts"])
            if moment.utcoffset() is None:
                raise ValueError("timestamp without UTC offset")
        except (ValueError, KeyError) as error:
            quarantine.add(f"unparseable log line: {error}", line, f"{origin}:{number}")
            continue
        call_id = fields.get("call_id")
        key = f"{call_id}:{fields.get('event')}" if call_id else f"{origin}:{number}"
        yield {
            **fields,
            "event_key": key,
            "ts_text": fields["ts"],
            "ts": moment,
            "source_file": origin,
            "line_number": number,
        }
    if cut_off:
        quarantine.add(
            "cut-off last line (no trailing newline)", cut_off, f"{origin}:{len(lines) + 1}"
        )


@dlt.source(name="call_center")
def call_center_source(
    folder: Path,
    quarantine: Quarantine,
    start_time: datetime | None = None,
    end_time: datetime | None = None,
) -> dlt.sources.DltResource:
    files = landed_files(folder, "**/calls_*.log*", start_time, end_time)

    @dlt.transformer(
        name="call_events",
        primary_key="event_key",
        write_disposition="merge",
        # ts_text stays the text as logged (dlt would otherwise detect it as a timestamp)
        columns={
            "ts": {"data_type": "timestamp"},
            "ts_text": {"data_type": "text"},
            "line_number": {"data_type": "bigint"},
        },
    )
    def call_events(items: list[FileItemDict]) -> Iterator[dict]:
        for item in items:
            yield from parse_log_file(read_text(item), item["relative_path"], quarantine)

    return files | call_events
