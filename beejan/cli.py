"""`beejan`: one command line for every stage of the warehouse.

Each verb works alone (start the warehouse, simulate, load, build) and `beejan run` chains them.
Errors a user can act on print as one line and exit 1; `--verbose` shows the logs behind them.
"""

from __future__ import annotations

import logging
import shlex
import sys
from contextlib import nullcontext
from typing import Annotated

import typer

from beejan import warehouse
from beejan.dbt import DBT_PROJECT_DIR, dbt_environment, run_dbt
from beejan.errors import BeejanError, SourceError
from beejan.roles import ROLES, ensure_roles
from beejan.settings import get_settings
from extract_load.cli import load, report
from extract_load.crm import install_plugins
from extract_load.runner import ALL_SOURCES, load_sources
from flows.cli import app as flow_app
from simulator.cli import app as simulate_app
from simulator.cli import simulated_sources

app = typer.Typer(
    help="Beejan complaint warehouse: sources -> raw -> dbt marts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
warehouse_app = typer.Typer(
    help="Start, stop and inspect the warehouse PostgreSQL.", no_args_is_help=True
)
app.add_typer(warehouse_app, name="warehouse")
app.add_typer(simulate_app, name="simulate")
app.add_typer(flow_app, name="flow")
app.command()(load)


@app.callback()
def _configure(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show debug logs.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    if not verbose:  # one line per HTTP request (Prefect's API calls) drowns what matters
        logging.getLogger("httpx").setLevel(logging.WARNING)


@warehouse_app.command("start")
def warehouse_start() -> None:
    """Start the embedded PostgreSQL (or check the external one). Harmless if already running."""
    connection = warehouse.warehouse_connection()
    typer.echo(f"warehouse ready at {connection.describe()}")


@warehouse_app.command("stop")
def warehouse_stop() -> None:
    """Stop the embedded PostgreSQL and wait until its processes are gone."""
    settings = get_settings()
    if not settings.uses_embedded_warehouse:
        typer.echo("the warehouse is external: nothing to stop")
        return
    stopped = warehouse.embedded_warehouse(settings).stop()
    typer.echo("warehouse stopped" if stopped else "warehouse was not running")


@warehouse_app.command("status")
def warehouse_status() -> None:
    """Say whether the warehouse runs and where. Exits 1 when it does not."""
    settings = get_settings()
    if not settings.uses_embedded_warehouse:
        connection = warehouse.warehouse_connection(settings)
        typer.echo(f"external warehouse reachable at {connection.describe()}")
        return
    status = warehouse.embedded_warehouse(settings).status()
    if not status.running or status.connection is None:
        typer.echo(f"embedded warehouse stopped (data directory {status.data_directory})")
        raise typer.Exit(1)
    typer.echo(
        f"embedded warehouse running, pid {status.pid}, at {status.connection.describe()} "
        f"(data directory {status.data_directory})"
    )


@warehouse_app.command("roles")
def warehouse_roles() -> None:
    """Create the loader, transformer and reporter roles (passwords from BEEJAN_*_PASSWORD)."""
    connection = warehouse.warehouse_connection()
    can_log_in = ensure_roles(connection, get_settings())
    typer.echo(f"roles ready: {', '.join(ROLES)}; with login: {', '.join(can_log_in) or 'none'}")


@warehouse_app.command("env")
def warehouse_env() -> None:
    """Print `export` lines for dbt and psql: eval "$(beejan warehouse env)"."""
    settings = get_settings()
    connection = warehouse.warehouse_connection(settings, start=False)
    variables = dbt_environment(connection, settings)
    for name, value in variables.items():
        typer.echo(f"export {name}={shlex.quote(value)}")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def dbt(ctx: typer.Context) -> None:
    """Run any dbt command against the warehouse, e.g. `beejan dbt -- test -s staging`."""
    if not ctx.args:
        raise typer.BadParameter("name a dbt command, e.g. `beejan dbt -- build`")
    run_dbt(ctx.args, warehouse.warehouse_connection())


@app.command()
def build(
    select: Annotated[
        str | None, typer.Option("--select", "-s", help="dbt node selection, e.g. `marts`.")
    ] = None,
    full_refresh: Annotated[
        bool,
        typer.Option("--full-refresh", help="Rebuild incremental models and seeds from scratch."),
    ] = False,
) -> None:
    """Build and test the dbt project (`dbt build`)."""
    args = ["build"] + (["--select", select] if select else [])
    args += ["--full-refresh"] if full_refresh else []
    connection = warehouse.warehouse_connection()
    ensure_roles(connection, get_settings())
    run_dbt(args, connection)


@app.command()
def docs(
    serve: Annotated[
        bool, typer.Option(help="Serve the site after generating it (Ctrl-C stops it).")
    ] = False,
    port: Annotated[int, typer.Option(help="Port of the docs site.")] = 8080,
) -> None:
    """Generate the dbt docs site (models, columns, lineage, tests) from the warehouse."""
    connection = warehouse.warehouse_connection()
    run_dbt(["docs", "generate"], connection)
    typer.echo(f"docs site written to {DBT_PROJECT_DIR / 'target' / 'index.html'}")
    if serve:
        run_dbt(["docs", "serve", "--port", str(port), "--no-browser"], connection)


@app.command()
def setup() -> None:
    """Install what the pipeline runs besides Python: Meltano's plugins (idempotent)."""
    install_plugins()
    typer.echo("Meltano plugins installed")


@app.command()
def run(
    simulate: Annotated[
        bool,
        typer.Option(
            help="Play the sources with the simulator: a 3-day scenario on first use, "
            "one more day on every later run."
        ),
    ] = False,
) -> None:
    """Run the whole pipeline end to end: warehouse, load every source, dbt build."""
    connection = warehouse.warehouse_connection()
    typer.echo(f"warehouse ready at {connection.describe()}")
    ensure_roles(connection, get_settings())
    with simulated_sources() if simulate else nullcontext(get_settings()) as settings:
        results = load_sources(ALL_SOURCES, settings, connection, on_result=report)
    run_dbt(["build"], connection, settings)
    failed = [result.source for result in results if not result.ok]
    if failed:
        raise SourceError(f"pipeline finished, but these sources failed: {', '.join(failed)}")
    typer.echo("pipeline finished")


def main() -> None:
    """Console-script entry point: user errors become one line on stderr and exit code 1."""
    try:
        app()
    except BeejanError as error:
        typer.secho(f"error: {error}", err=True, fg=typer.colors.RED)
        sys.exit(1)
