"""`beejan simulate`: play the five source systems locally, move time on, serve the APIs.

The simulator (and the web framework its APIs run on) is imported by the commands that use it,
so that the rest of the command line starts without it."""

from __future__ import annotations

import contextlib
import shlex
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from beejan.core.settings import Settings, get_settings
from beejan.core.warehouse import crm_connection, warehouse_connection
from beejan.dbt_runner import marts_schema

if TYPE_CHECKING:
    from simulator.scenario import Scenario

app = typer.Typer(
    help="Play the five source systems locally, with dirt, faults and ground truth.",
    no_args_is_help=True,
)

RootOption = Annotated[
    Path | None,
    typer.Option(help="Scenario folder (default: <data_dir>/simulator)."),
]


def _root(root: Path | None) -> Path:
    return root or get_settings().data_dir / "simulator"


def _open(root: Path | None, with_crm: bool) -> Scenario:
    from simulator.scenario import Scenario

    folder = _root(root)
    if not (folder / "scenario.json").exists():
        raise typer.BadParameter(f"no scenario in {folder}: run `beejan simulate generate` first")
    crm = crm_connection() if with_crm else None
    return Scenario.open(folder, crm, get_settings().landing_path)


def _progress(days_done: int, scale: int) -> None:
    typer.echo(f"  day {days_done} generated (about {scale} complaints)")


@contextmanager
def simulated_sources(first_days: int = 3) -> Iterator[Settings]:
    """The pipeline's settings pointed at the local scenario, its APIs up for the block: a new
    scenario of `first_days` days on first use, one more day on every later use."""
    from simulator.live import live
    from simulator.scenario import Scenario, ScenarioConfig

    settings = get_settings()
    folder = _root(None)
    if (folder / "scenario.json").exists():
        scenario = _open(None, with_crm=True)
        typer.echo(f"simulator: moving the scenario on to day {scenario.days + 1}")
        scenario.advance(1, progress=_progress)
    else:
        typer.echo(f"simulator: generating a {first_days}-day scenario in {folder}")
        scenario = Scenario(folder, ScenarioConfig(), crm_connection(), settings.landing_path)
        scenario.advance(first_days, progress=_progress)
    with live(scenario, social_port=0, sms_port=0) as running:
        yield running.settings()


@app.command()
def generate(
    days: Annotated[int, typer.Option(min=1, help="How many days to generate.")] = 1,
    seed: Annotated[int, typer.Option(help="Same seed, same world, byte for byte.")] = 7,
    scale: Annotated[int, typer.Option(min=1, help="Average complaints per day.")] = 100,
    start_date: Annotated[str, typer.Option(help="First simulated day.")] = "2026-11-16",
    root: RootOption = None,
    crm: Annotated[bool, typer.Option(help="Also write the CRM database.")] = True,
) -> None:
    """Start a new scenario: files in the landing dir, API data, the CRM, and ground truth."""
    from simulator.scenario import Scenario, ScenarioConfig

    folder = _root(root)
    if (folder / "scenario.json").exists():
        raise typer.BadParameter(
            f"{folder} already holds a scenario: `beejan simulate advance` moves it on"
        )
    date.fromisoformat(start_date)
    config = ScenarioConfig(seed=seed, scale=scale, start=start_date)
    scenario = Scenario(
        folder, config, crm_connection() if crm else None, get_settings().landing_path
    )
    typer.echo(f"generating {days} day(s) from {start_date} (seed {seed}) into {folder}")
    scenario.advance(days, progress=_progress)


@app.command()
def advance(
    days: Annotated[int, typer.Option(min=1, help="How many more days.")] = 1,
    root: RootOption = None,
    crm: Annotated[bool, typer.Option(help="Also update the CRM database.")] = True,
) -> None:
    """Move the world on: new, changed and re-delivered data in every system."""
    scenario = _open(root, crm)
    typer.echo(f"advancing {days} day(s) after day {scenario.days}")
    scenario.advance(days, progress=_progress)


@app.command()
def accuracy(
    root: RootOption = None,
    schema: Annotated[
        str | None, typer.Option(help="Schema of the marts (default: the environment's).")
    ] = None,
) -> None:
    """Compare the marts with the scenario's ground truth: contacts and complaints per day and
    channel, customer links, categories, noise, duplicate grouping, outages, recurrence."""
    from rich.console import Console
    from rich.table import Table

    from simulator.accuracy import measure

    settings = get_settings()
    scenario = _open(root, with_crm=False)
    report = measure(scenario, warehouse_connection(settings), schema or marts_schema(settings))
    table = Table(title=f"Accuracy of the marts on {scenario.root} ({scenario.days} days)")
    table.add_column("measure")
    table.add_column("value")
    for measure_name, value in report.rows():
        table.add_row(measure_name, value)
    Console().print(table)


@app.command()
def serve(
    root: RootOption = None,
    social_port: Annotated[int, typer.Option(help="0 picks a free port.")] = 8701,
    sms_port: Annotated[int, typer.Option(help="0 picks a free port.")] = 8702,
    rate_limit: Annotated[float, typer.Option(help="Share of requests answered 429.")] = 0.0,
    server_error: Annotated[float, typer.Option(help="Share of requests answered 5xx.")] = 0.0,
    slow: Annotated[float, typer.Option(help="Share of pages answered slowly.")] = 0.0,
    slow_seconds: Annotated[float, typer.Option(help="How slow a slow page is.")] = 2.0,
) -> None:
    """Serve the social and SMS APIs of a generated scenario until Ctrl-C."""
    from simulator.live import live
    from simulator.serving import Faults

    scenario = _open(root, with_crm=False)
    faults = Faults(rate_limit, server_error, slow, slow_seconds)
    with live(scenario, faults, social_port, sms_port) as running:
        typer.echo(
            f"social API on {running.social_api.base_url}, SMS API on {running.sms_api.base_url}"
        )
        typer.echo("point the pipeline at them with:")
        for name, value in running.env.items():
            typer.echo(f"export {name}={shlex.quote(value)}")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    typer.echo("APIs stopped")
