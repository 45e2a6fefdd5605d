"""The CRM, landed raw by Meltano (tap-postgres -> target-postgres, declared in meltano.yml).

Python only runs it: it maps beejan settings to the plugins' environment variables, keeps
Meltano's state (the `updated_at` bookmarks) under `<data_dir>/meltano`, streams Meltano's output
to the log, and turns a failure into one clear line.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from beejan.core.connections import PostgresConnection
from beejan.core.errors import SourceError
from beejan.core.settings import PROJECT_DIR, Settings
from beejan.core.warehouse import crm_connection
from extract_load.pipeline import LoadResult

log = logging.getLogger(__name__)

RAW_SCHEMA = "raw_crm"
TABLES = ("customers", "plans", "regions", "tickets", "network_incidents")
MELTANO = str(Path(sys.executable).parent / "meltano")


def meltano_environment(
    crm: PostgresConnection, warehouse: PostgresConnection, settings: Settings
) -> dict[str, str]:
    """The plugins' settings, from the one configuration (Meltano reads them from these names)."""
    state_dir = settings.data_dir / "meltano"
    state_dir.mkdir(parents=True, exist_ok=True)
    variables = {
        "MELTANO_PROJECT_ROOT": str(PROJECT_DIR),
        "MELTANO_ENVIRONMENT": settings.dbt_target,
        "MELTANO_DATABASE_URI": f"sqlite:///{state_dir / 'meltano.db'}",
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        # target-postgres lands timestamptz as `timestamp without time zone`, converting in its
        # session's time zone: libpq's PGTZ pins both plugins' sessions to UTC, so the raw
        # values are the UTC instants whatever a database's default zone is.
        "PGTZ": "UTC",
    }
    for prefix, connection in (("TAP_POSTGRES", crm), ("TARGET_POSTGRES", warehouse)):
        variables |= {
            f"{prefix}_HOST": connection.host,
            f"{prefix}_PORT": str(connection.port),
            f"{prefix}_USER": connection.user,
            f"{prefix}_PASSWORD": connection.password,
            f"{prefix}_DATABASE": connection.database,
        }
    return variables


def install_plugins() -> None:
    """Create the plugins' virtual environments (idempotent; fast once installed)."""
    _meltano(["install"], {"MELTANO_PROJECT_ROOT": str(PROJECT_DIR)}, "meltano install failed")


def plugins_installed() -> bool:
    return all(
        (PROJECT_DIR / ".meltano" / kind / name / "venv").is_dir()
        for kind, name in (("extractors", "tap-postgres"), ("loaders", "target-postgres"))
    )


def load_crm(
    settings: Settings, warehouse: PostgresConnection, *, full_refresh: bool = False
) -> LoadResult:
    """Copy what changed in the CRM since the last run into raw_crm (all of it on a full
    refresh); rows are upserted by primary key, so nothing lands twice."""
    crm = crm_connection(settings)
    _check_reachable(crm)
    if not plugins_installed():
        install_plugins()
    started = datetime.now(UTC)
    command = ["run", "tap-postgres", "target-postgres"] + (
        ["--full-refresh"] if full_refresh else []
    )
    _meltano(command, meltano_environment(crm, warehouse, settings), "the CRM load failed")
    return LoadResult("crm", rows=_rows_batched_since(warehouse, started))


def _check_reachable(crm: PostgresConnection) -> None:
    try:
        with psycopg.connect(crm.dsn(), connect_timeout=5):
            pass
    except psycopg.OperationalError as error:
        reason = str(error).strip().splitlines()[-1] if str(error).strip() else "no answer"
        raise SourceError(f"the CRM is unreachable at {crm.describe()}: {reason}") from error


def _meltano(args: list[str], variables: dict[str, str], failure: str) -> None:
    env = {**os.environ, **variables}
    tail: deque[str] = deque(maxlen=40)
    with subprocess.Popen(
        [MELTANO, *args],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        stdin=subprocess.DEVNULL,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            tail.append(line.rstrip())
            log.info("meltano: %s", line.rstrip())
    if process.returncode != 0:
        errors = [line for line in tail if "error" in line.lower()]
        raise SourceError(f"{failure}: {(errors or list(tail) or ['no output'])[-1].strip()}")


def _rows_batched_since(warehouse: PostgresConnection, started: datetime) -> dict[str, int]:
    """Rows target-postgres wrote in this run, per table (from its _sdc_batched_at metadata)."""
    counts = {}
    with psycopg.connect(warehouse.dsn()) as conn:
        for table in TABLES:
            query = sql.SQL("select count(*) from {} where _sdc_batched_at >= %s").format(
                sql.Identifier(RAW_SCHEMA, table)
            )
            try:
                # target-postgres writes UTC into `timestamp without time zone` columns
                naive_utc = started.astimezone(UTC).replace(tzinfo=None)
                counts[table] = conn.execute(query, (naive_utc,)).fetchone()[0]
            except psycopg.errors.UndefinedTable:
                conn.rollback()
                counts[table] = 0
    return counts
