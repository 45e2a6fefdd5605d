"""`beejan quarantine`: what the loaders set aside, for the operator to review, correct and
replay, or dismiss."""

from __future__ import annotations

import getpass
import json
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import click
import typer
from rich.console import Console
from rich.table import Table

from beejan.cli._common import marts_in_warehouse, ready_warehouse
from beejan.cli.load import Since, Until
from beejan.core.connections import PostgresConnection
from beejan.core.errors import BeejanError
from beejan.core.settings import get_settings
from beejan.dbt_runner import run_dbt
from extract_load.quarantine import Outcome
from extract_load.quarantine_review import (
    STATUSES,
    Filters,
    count_by_reason,
    get_record,
    list_records,
    printable,
)

if TYPE_CHECKING:
    from extract_load.replay import Decided

app = typer.Typer(
    help="Review what the loaders set aside: list, count, show one record; replay a corrected "
    "payload or dismiss a record (every decision is kept).",
    no_args_is_help=True,
)

Source = Annotated[str | None, typer.Option(help="Only this source (e.g. call_center).")]
Reason = Annotated[str | None, typer.Option(help="Only this reason (e.g. cut_off_line).")]
Status = Annotated[str | None, typer.Option(help=f"Only this status: {', '.join(STATUSES)}.")]
RecordId = Annotated[str, typer.Argument(help="The record's id (or its first 8+ characters).")]
By = Annotated[
    str | None, typer.Option("--by", help="Who decides (default: your login name), for the record.")
]
Build = Annotated[
    bool, typer.Option(help="Then build the models it changes (downstream of its source).")
]
Load = Annotated[str | None, typer.Option("--load", help="Only this load (its dlt load id).")]
AsJson = Annotated[bool, typer.Option("--json", help="JSON instead of a table.")]


@app.callback()
def _in_the_warehouse() -> None:
    marts_in_warehouse("beejan quarantine")


def _filters(
    source: str | None, reason: str | None, status: str | None, since, until, load: str | None
) -> Filters:
    if status is not None and status not in STATUSES:
        raise typer.BadParameter(f"--status is one of {', '.join(STATUSES)}")
    return Filters(
        source,
        reason,
        status,
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
    status: Status = None,
    since: Since = None,
    until: Until = None,
    load: Load = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 50,
    as_json: AsJson = False,
) -> None:
    """Quarantined records, newest first, with a preview of each payload."""
    filters = _filters(source, reason, status, since, until, load)
    rows = list_records(ready_warehouse(), filters, limit)
    if not as_json:  # what fits a terminal; `show` has the rest
        rows = [
            {
                "id": row["quarantine_id"][:12],
                "source": row["source"],
                "reason": row["reason"],
                "status": row["status"],
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
    status: Status = None,
    since: Since = None,
    until: Until = None,
    load: Load = None,
    as_json: AsJson = False,
) -> None:
    """How many records each source set aside, per reason: open, replayed and dismissed."""
    filters = _filters(source, reason, status, since, until, load)
    _print(count_by_reason(ready_warehouse(), filters), as_json, "Quarantined records by reason")


@app.command()
def show(
    record_id: RecordId,
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


@app.command("replay")
def replay_(
    record_id: RecordId,
    payload_file: Annotated[
        Path | None,
        typer.Option(
            exists=True, dir_okay=False, help="The corrected payload (write it with `show`)."
        ),
    ] = None,
    edit: Annotated[
        bool, typer.Option("--edit", help="Correct the payload in $EDITOR, then replay it.")
    ] = False,
    by: By = None,
    build: Build = True,
) -> None:
    """Replay a corrected payload through its source's own parser and checks.

    It lands in raw once (merged on its key) and the record is closed as replayed, or it stays
    quarantined under the new reason. A final line ending, as editors add, is not part of the
    record."""
    from extract_load.replay import replay  # the loaders: dlt and the sources' parsers

    if (payload_file is None) == (not edit):
        raise typer.BadParameter("give the corrected payload: --payload-file F or --edit")
    connection = ready_warehouse()
    payload = payload_file.read_bytes() if payload_file else _edited(connection, record_id)
    payload = _without_line_ending(payload)
    decided = replay(record_id, payload, by or getpass.getuser(), get_settings(), connection)
    typer.echo(decided.message)
    if build:
        _build_downstream(decided, connection)
    if decided.outcome is Outcome.REQUARANTINED:
        raise typer.Exit(1)


@app.command("dismiss")
def dismiss_(
    record_id: RecordId,
    reason: Annotated[str, typer.Option("--reason", help="Why it is dismissed, for the record.")],
    by: By = None,
    build: Build = True,
) -> None:
    """Close a record for good, with the reason; it stays in quarantine, counted as dismissed."""
    from extract_load.replay import dismiss

    connection = ready_warehouse()
    decided = dismiss(record_id, reason, by or getpass.getuser(), get_settings(), connection)
    typer.echo(decided.message)
    if build:
        _build_downstream(decided, connection)


def _build_downstream(decided: Decided, connection: PostgresConnection) -> None:
    """The models a decision changes: the data-quality marts, and everything downstream of the
    source when a row landed."""
    if decided.outcome is None:
        return
    selection = ["source:quarantine+"]
    if decided.outcome is Outcome.REPLAYED:
        selection.append(f"source:{decided.record['source']}+")
    run_dbt(["build", "--select", *selection], connection)


def _edited(connection: PostgresConnection, record_id: str) -> bytes:
    """The record's payload after the operator edited it in $EDITOR (bytes kept exactly)."""
    original = get_record(connection, record_id)["payload"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "payload"
        path.write_bytes(original)
        click.edit(filename=str(path))
        corrected = path.read_bytes()
    if _without_line_ending(corrected) == original:
        raise BeejanError("the payload was not changed: nothing to replay")
    return corrected


def _without_line_ending(payload: bytes) -> bytes:
    return payload.removesuffix(b"\n").removesuffix(b"\r")
