"""`beejan warehouse`: start, stop and inspect the warehouse PostgreSQL, and its roles."""

from __future__ import annotations

import shlex

import typer

from beejan.cli._common import ready_warehouse
from beejan.core import warehouse
from beejan.core.roles import ROLES, login_as
from beejan.core.settings import get_settings
from beejan.dbt_runner import dbt_environment

app = typer.Typer(help="Start, stop and inspect the warehouse PostgreSQL.", no_args_is_help=True)


@app.command("start")
def start() -> None:
    """Start the embedded PostgreSQL (or check the external one). Harmless if already running."""
    connection = warehouse.warehouse_connection()
    typer.echo(f"warehouse ready at {connection.describe()}")


@app.command("stop")
def stop() -> None:
    """Stop the embedded PostgreSQL and wait until its processes are gone."""
    settings = get_settings()
    if not settings.uses_embedded_warehouse:
        typer.echo("the warehouse is external: nothing to stop")
        return
    stopped = warehouse.embedded_warehouse(settings).stop()
    typer.echo("warehouse stopped" if stopped else "warehouse was not running")


@app.command("status")
def status() -> None:
    """Say whether the warehouse runs and where. Exits 1 when it does not."""
    settings = get_settings()
    if not settings.uses_embedded_warehouse:
        connection = warehouse.warehouse_connection(settings)
        typer.echo(f"external warehouse reachable at {connection.describe()}")
        return
    server = warehouse.embedded_warehouse(settings).status()
    if not server.running or server.connection is None:
        typer.echo(f"embedded warehouse stopped (data directory {server.data_directory})")
        raise typer.Exit(1)
    typer.echo(
        f"embedded warehouse running, pid {server.pid}, at {server.connection.describe()} "
        f"(data directory {server.data_directory})"
    )


@app.command("roles")
def roles() -> None:
    """Provision the loader, transformer and reporter roles and the PII salt (passwords from
    BEEJAN_*_PASSWORD, or generated and kept in <data_dir>/warehouse/roles.json)."""
    ready_warehouse()
    typer.echo(f"roles ready: {', '.join(ROLES)}")


@app.command("env")
def env() -> None:
    """Print `export` lines for dbt and psql, logged in as the transformer role (as the pipeline
    runs dbt): eval "$(beejan warehouse env)"."""
    settings = get_settings()
    connection = login_as("transformer", warehouse.warehouse_connection(settings), settings)
    for name, value in dbt_environment(connection, settings).items():
        typer.echo(f"export {name}={shlex.quote(value)}")
