"""`beejan quarantine`: what the loaders set aside, for the operator to review."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from beejan.cli._common import ready_warehouse
from beejan.cli.load import Since, Until
from extract_load.quarantine_review import (
    Filters,
    count_by_reason,
    get_record,
    list_records,
    printable,
)

app = typer.Typer(
    help="Review what the loaders set aside: list, count by reason, show one record.",
    no_args_is_help=True,
)

Source = Annotated[str | None, typer.Option(help="Only this source (e.g. call_center).")]
Reason = Annotated[str | None, typer.Option(help="Only this reason (e.g. cut_off_line).")]
Load = Annotated[str | None, typer.Option("--load", help="Only this load (its dlt load id).")]
AsJson = Annotated[bool, typer.Option("--json", help="JSON instead of a table.")]


def _filters(source: str | None, reason: str | None, since, until, load: str | None) -> Filters:
    return Filters(
        source,
        reason,
        since.date() if since else None,
        until.date() if until else None,
        load,
    )


def _print(rows: list[dict], as_json: bool, title: str) -> None:
    if as_json:
        typer.echo(json.dumps(rows, default=str, indent=2))
        return
    if not rows:
        typer.echo("nothing quarantined matches")
        return
    table = Table(title=title)
    *fixed, flexible = rows[0]
    for column in fixed:  # as wide as their values; the last column takes what is left
        width = max(len(column), *(len(str(row[column])) for row in rows))
        table.add_column(column, no_wrap=True, min_width=min(width, 40), overflow="ellipsis")
    table.add_column(flexible, no_wrap=True, overflow="ellipsis")
    for row in rows:
        table.add_row(*(str(value) for value in row.values()))
    Console().print(table)


@app.command("list")
def list_(
    source: Source = None,
    reason: Reason = None,
    since: Since = None,
    until: Until = None,
    load: Load = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 50,
    as_json: AsJson = False,
) -> None:
    """Quarantined records, newest first, with a preview of each payload."""
    filters = _filters(source, reason, since, until, load)
    rows = list_records(ready_warehouse(), filters, limit)
    if not as_json:  # what fits a terminal; `show` has the rest
        rows = [
            {
                "id": row["quarantine_id"][:12],
                "source": row["source"],
                "reason": row["reason"],
                "quarantined": f"{row['quarantined_at']:%Y-%m-%d %H:%M}",
                "origin": row["origin"],
                "preview": row["preview"],
            }
            for row in rows
        ]
    _print(rows, as_json, "Quarantined records")


@app.command()
def counts(
    source: Source = None,
    reason: Reason = None,
    since: Since = None,
    until: Until = None,
    load: Load = None,
    as_json: AsJson = False,
) -> None:
    """How many records each source set aside, per reason."""
    filters = _filters(source, reason, since, until, load)
    _print(count_by_reason(ready_warehouse(), filters), as_json, "Quarantined records by reason")


@app.command()
def show(
    record_id: Annotated[str, typer.Argument(help="The record's id (or its first 8+ characters).")],
    payload_to: Annotated[
        Path | None,
        typer.Option(help="Write the exact payload bytes to this file (to correct it there)."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """One record whole: source, reason and detail, origin, when, and its payload."""
    record = get_record(ready_warehouse(), record_id)
    payload: bytes = record.pop("payload")
    if payload_to is not None:
        payload_to.write_bytes(payload)
    if as_json:
        try:
            record["payload"] = payload.decode("utf-8")
        except UnicodeDecodeError:  # exact bytes still: escaped, never replaced
            record["payload_escaped"] = printable(payload)
        typer.echo(json.dumps(record, default=str, indent=2, ensure_ascii=False))
        return
    for key, value in record.items():
        typer.echo(f"{key:<15} {value}")
    typer.echo("payload:")
    sys.stdout.write(printable(payload) + "\n")
