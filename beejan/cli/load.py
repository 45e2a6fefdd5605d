"""`beejan load`: land one source or all of them, raw, with a summary of what was quarantined."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from beejan.cli._common import ready_warehouse
from beejan.core.errors import SourceError
from beejan.core.settings import get_settings
from extract_load.registry import ALL_SOURCES

if TYPE_CHECKING:
    from extract_load.pipeline import LoadResult

# the days to read again (a backfill or a manual re-run), for `beejan load` and `beejan run`
Since = Annotated[
    datetime | None,
    typer.Option(
        "--from", formats=["%Y-%m-%d"], help="Re-read from this day (API and file sources)."
    ),
]
Until = Annotated[
    datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Re-read up to this day.")
]


def report(result: LoadResult) -> None:
    if result.resumed:
        loads = ", ".join(result.resumed)
        typer.echo(f"{result.source:<12} finished an interrupted load first (load {loads})")
    if not result.ok:
        typer.secho(f"{result.source:<12} FAILED  {result.error}", err=True, fg=typer.colors.RED)
        return
    typer.echo(f"{result.source:<12} loaded  {result.rows_summary()}")
    for reason, count in sorted(result.quarantined.items()):
        typer.echo(f"{'':<12} quarantined {count}: {reason}")


def chosen_sources(sources: list[str] | None) -> list[str]:
    """The sources named on the command line (all when none), refusing unknown names."""
    unknown = sorted(set(sources or []) - set(ALL_SOURCES))
    if unknown:
        raise typer.BadParameter(
            f"unknown source(s) {', '.join(unknown)}; choose from {ALL_SOURCES}"
        )
    return sources or list(ALL_SOURCES)


def load(
    sources: Annotated[
        list[str] | None,
        typer.Argument(help=f"Sources to load (default: all): {', '.join(ALL_SOURCES)}."),
    ] = None,
    full_refresh: Annotated[
        bool,
        typer.Option(
            help="Read everything the sources still hold again, forgetting cursors and the file "
            "registry; rows merge, so nothing already landed is lost."
        ),
    ] = False,
    since: Since = None,
    until: Until = None,
) -> None:
    """Load sources raw into the warehouse: incremental, idempotent, nothing lost."""
    from extract_load.runner import load_sources  # dlt and Arrow, only when loading

    names = chosen_sources(sources)
    results = load_sources(
        names,
        get_settings(),
        ready_warehouse(),
        full_refresh=full_refresh,
        since=since.date() if since else None,
        until=until.date() if until else None,
        on_result=report,
    )
    failed = [result.source for result in results if not result.ok]
    if failed:
        raise SourceError(f"{len(failed)} of {len(results)} source(s) failed: {', '.join(failed)}")
