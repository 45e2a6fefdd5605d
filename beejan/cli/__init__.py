"""`beejan`: one command line for every stage of the warehouse, and the composition root of
the project: it wires the core, the loaders, dbt and the flows together, and nothing imports it.

Each verb works alone (start the warehouse, simulate, load, build); `beejan run` is the whole
pipeline, as the Prefect flow that production schedules (`beejan flow serve`).
Errors a user can act on print as one line and exit 1; `--verbose` shows the logs behind them.
A command imports what it runs (dlt, dbt, Prefect, the simulator) when it runs, so that
`--help` and each verb start without loading the others.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Annotated

import psycopg
import typer

from beejan.cli import flow, quarantine, serving, transform
from beejan.cli import warehouse as warehouse_cli
from beejan.cli.load import load
from beejan.core.errors import BeejanError
from beejan.core.logs import configure_logging
from beejan.core.settings import SettingsError, get_settings

app = typer.Typer(
    help="Beejan complaint warehouse: sources -> raw -> dbt marts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(warehouse_cli.app, name="warehouse")
app.add_typer(flow.app, name="flow")
app.add_typer(quarantine.app, name="quarantine")
app.add_typer(serving.app, name="api")
app.command()(flow.run)
app.command()(load)
app.command()(transform.build)
app.command()(transform.docs)
app.command()(serving.report)
app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(
    transform.dbt
)
# the simulator is a development tool (dev dependency group), not in the runtime wheel
if importlib.util.find_spec("simulator") is not None:
    from beejan.cli.simulate import app as simulate_app

    app.add_typer(simulate_app, name="simulate")


@app.callback()
def _configure(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show debug logs.")] = False,
) -> None:
    try:
        settings = get_settings()
    except SettingsError:  # the command that needs them says what is wrong, in one line
        settings = None
    configure_logging(settings, verbose=verbose)


@app.command()
def setup() -> None:
    """Install what the pipeline runs besides Python: Meltano's plugins (idempotent)."""
    from extract_load.crm import install_plugins

    install_plugins()
    typer.echo("Meltano plugins installed")


def main() -> None:
    """Console-script entry point: user errors become one line on stderr and exit code 1."""
    try:
        app()
    except BeejanError as error:
        _fail(str(error))
    except psycopg.OperationalError as error:  # the warehouse went away mid-command
        _fail(f"lost the warehouse: {_first_line(error)}")


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    sys.exit(1)


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
