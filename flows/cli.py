"""`beejan flow`: run the Prefect flow once, or serve it on its schedule."""

from __future__ import annotations

from typing import Annotated

import typer

from extract_load.runner import ALL_SOURCES

app = typer.Typer(
    help="The scheduled production run (Prefect): load every source, then dbt build.",
    no_args_is_help=True,
)


@app.command("run")
def run_once(
    sources: Annotated[
        list[str] | None,
        typer.Argument(help=f"Sources to load (default: all): {', '.join(ALL_SOURCES)}."),
    ] = None,
) -> None:
    """Run the flow once, now (retries, alert and audit row included)."""
    from flows.pipeline import warehouse_pipeline

    unknown = sorted(set(sources or []) - set(ALL_SOURCES))
    if unknown:
        raise typer.BadParameter(f"unknown sources: {', '.join(unknown)}")
    warehouse_pipeline(sources or ALL_SOURCES)
    typer.echo("flow run completed")


@app.command()
def serve() -> None:
    """Serve the flow on its schedule (BEEJAN_SCHEDULE_CRON in BEEJAN_SCHEDULE_TIMEZONE) until
    Ctrl-C. Point PREFECT_API_URL at your Prefect server to see runs in its UI."""
    from prefect.schedules import Cron

    from beejan.settings import get_settings
    from flows.pipeline import warehouse_pipeline

    settings = get_settings()
    warehouse_pipeline.serve(
        name="scheduled",
        schedules=[Cron(settings.schedule_cron, timezone=settings.schedule_timezone)],
    )
