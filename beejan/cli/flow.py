"""`beejan flow`: run the Prefect flow once, or serve it on its schedule."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from beejan.cli.load import chosen_sources
from beejan.core.settings import get_settings
from extract_load.registry import ALL_SOURCES

app = typer.Typer(
    help="The scheduled production run (Prefect): load every source, then dbt build.",
    no_args_is_help=True,
)


@app.callback()
def _local_prefect_defaults() -> None:
    # Without a Prefect server, Prefect keeps its local database under the data directory,
    # beside the rest of the project's state, and sends no telemetry; PREFECT_* variables win.
    os.environ.setdefault("PREFECT_HOME", str(get_settings().data_dir / "prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@app.command("run")
def run_once(
    sources: Annotated[
        list[str] | None,
        typer.Argument(help=f"Sources to load (default: all): {', '.join(ALL_SOURCES)}."),
    ] = None,
) -> None:
    """Run the flow once, now (retries, alert and audit row included)."""
    from flows.pipeline import warehouse_pipeline

    warehouse_pipeline(chosen_sources(sources))
    typer.echo("flow run completed")


@app.command()
def serve() -> None:
    """Serve the flow on its schedule (BEEJAN_SCHEDULE_CRON in BEEJAN_SCHEDULE_TIMEZONE) until
    Ctrl-C. Point PREFECT_API_URL at your Prefect server to see runs in its UI."""
    from prefect import serve as serve_deployments

    from flows.pipeline import scheduled_deployment

    serve_deployments(scheduled_deployment(get_settings()))
