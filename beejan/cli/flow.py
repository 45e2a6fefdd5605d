"""`beejan run` (the pipeline once, now) and `beejan flow serve` (on its schedules): both are
the one Prefect flow, so every run is retried, audited and alerted the same way."""

from __future__ import annotations

import logging
from contextlib import nullcontext
from typing import Annotated

import typer

from beejan.cli._common import prefect_defaults, started_warehouse
from beejan.cli.load import Since, Until, chosen_sources
from beejan.core.errors import BeejanError
from beejan.core.settings import get_settings
from extract_load.registry import ALL_SOURCES

app = typer.Typer(help="The pipeline's Prefect deployments.", no_args_is_help=True)


def run(
    sources: Annotated[
        list[str] | None,
        typer.Argument(help=f"Sources to load (default: all): {', '.join(ALL_SOURCES)}."),
    ] = None,
    simulate: Annotated[
        bool,
        typer.Option(
            help="Play the sources with the simulator: a 3-day scenario on first use, "
            "one more day on every later run."
        ),
    ] = False,
    since: Since = None,
    until: Until = None,
) -> None:
    """Run the pipeline once, now, as the Prefect flow: load the sources at once, then build
    and test what they feed (the whole dbt project after every source, else the models
    downstream of the sources named), with retries, an audit row and alerts. With --from/--to,
    a manual re-run of those days: loads merge, so what did not change adds nothing."""
    names = chosen_sources(sources)
    prefect_defaults()
    connection = started_warehouse()
    typer.echo(f"warehouse ready at {connection.describe()}")
    from flows.pipeline import warehouse_pipeline

    if simulate:
        from beejan.cli.simulate import simulated_sources

        playing = simulated_sources()
    else:
        playing = nullcontext(get_settings())
    with playing as settings:
        state = warehouse_pipeline(
            names,
            since.date() if since else None,
            until.date() if until else None,
            settings=settings,
            return_state=True,
        )
    # the temporary Prefect server, stopped at exit, may race its own event flush and print a
    # traceback about events already recorded; it says nothing about the run
    logging.getLogger("prefect.server.services.task_run_recorder").setLevel(logging.CRITICAL)
    if not state.is_completed():
        raise BeejanError(f"the run failed: {state.message}")
    typer.echo("pipeline finished")


@app.command()
def serve() -> None:
    """Serve both deployments until Ctrl-C: the daily batch (every source, the whole project, on
    BEEJAN_SCHEDULE_CRON in BEEJAN_SCHEDULE_TIMEZONE) and the near-real-time lane (social and
    SMS every BEEJAN_NEAR_REAL_TIME_MINUTES, and only the models downstream of them). Point
    PREFECT_API_URL at your Prefect server to see the runs in its UI."""
    prefect_defaults()
    from prefect import serve as serve_deployments

    from flows.pipeline import batch_deployment, near_real_time_deployment

    settings = get_settings()
    serve_deployments(batch_deployment(settings), near_real_time_deployment(settings))
