"""`beejan build`, `beejan docs` and `beejan dbt`: the dbt project against the warehouse."""

from __future__ import annotations

from typing import Annotated

import typer

from beejan.cli._common import ready_warehouse
from beejan.core.settings import get_settings
from beejan.dbt_runner import dbt_artifacts, run_dbt


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
    run_dbt(args, ready_warehouse())


def docs(
    serve: Annotated[
        bool, typer.Option(help="Serve the site after generating it (Ctrl-C stops it).")
    ] = False,
    port: Annotated[int, typer.Option(help="Port of the docs site.")] = 8080,
) -> None:
    """Generate the dbt docs site (models, columns, lineage, tests) from the warehouse."""
    connection = ready_warehouse()
    run_dbt(["docs", "generate"], connection)
    typer.echo(f"docs site written to {dbt_artifacts(get_settings()) / 'index.html'}")
    if serve:
        run_dbt(["docs", "serve", "--port", str(port), "--no-browser"], connection, exclusive=False)


def dbt(ctx: typer.Context) -> None:
    """Run any dbt command against the warehouse, e.g. `beejan dbt -- test -s staging`."""
    if not ctx.args:
        raise typer.BadParameter("name a dbt command, e.g. `beejan dbt -- build`")
    run_dbt(ctx.args, ready_warehouse())
