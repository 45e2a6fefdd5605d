"""`beejan report` and `beejan api ...`: the marts served to people and to other systems."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from beejan.cli._common import marts_in_warehouse, ready_warehouse
from beejan.core.settings import get_settings
from serving import api_keys
from serving.marts import Marts

app = typer.Typer(help="The read API over the marts, and its keys.", no_args_is_help=True)
keys_app = typer.Typer(
    help="API keys: issue, list, revoke (only hashes are stored).", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")


def report(
    output: Annotated[
        Path | None, typer.Option(help="Where to write it (default: BEEJAN_REPORT_FILE).")
    ] = None,
    days: Annotated[
        int | None, typer.Option(min=7, help="Days it covers (default: BEEJAN_REPORT_DAYS).")
    ] = None,
) -> None:
    """Write the complaint report: one HTML file with every chart and its data inside, readable
    offline. It reads the marts as the reporter role."""
    from serving.report import write_report  # plotly, only for this command

    marts_in_warehouse("beejan report")
    settings = get_settings()
    path = output or settings.report_path
    with Marts(ready_warehouse(), settings) as marts:
        data = write_report(marts, path, days or settings.report_days)
    span = f"{data.window.first_day} to {data.window.last_day}" if data.window else "no data yet"
    typer.echo(f"report written to {path} ({span})")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    connections: Annotated[
        int, typer.Option(min=1, max=64, help="Warehouse connections the API may hold.")
    ] = 8,
) -> None:
    """Serve the read API (OpenAPI document at /docs and /openapi.json) until Ctrl-C."""
    import uvicorn  # only this command needs the server

    from serving.api import create_app

    marts_in_warehouse("beejan api serve")
    settings = get_settings()
    with Marts(ready_warehouse(), settings, max_connections=connections) as marts:
        typer.echo(f"read API on http://{host}:{port} (documentation: /docs)")
        uvicorn.run(
            create_app(marts, settings), host=host, port=port, log_config=None, access_log=False
        )


@keys_app.command("issue")
def issue_key(
    name: Annotated[str, typer.Argument(help="The client system, e.g. `crm-sync`.")],
) -> None:
    """Issue a key for a client; it is printed once and only its hash is kept."""
    key = api_keys.issue(name, get_settings())
    typer.echo(key)
    typer.echo(f"key for {name!r} issued: keep it now, it cannot be shown again", err=True)


@keys_app.command("list")
def list_keys() -> None:
    """The clients that hold a key, and when it was issued."""
    for record in api_keys.issued(get_settings()):
        typer.echo(f"{record.name}\t{record.created_at}")


@keys_app.command("revoke")
def revoke_key(
    name: Annotated[str, typer.Argument(help="The client whose key to revoke.")],
) -> None:
    """Revoke a client's key; a running API refuses it from the next request."""
    api_keys.revoke(name, get_settings())
    typer.echo(f"key for {name!r} revoked")
