"""The CRM, landed raw by Meltano (tap-postgres -> target-postgres, declared in meltano.yml).

Python only runs it: it maps beejan settings to the plugins' environment variables and streams
Meltano's output to the log (debug level: `beejan -v` shows it), and turns a failure into one
clear line. The warehouse side logs in as the loader role.

Meltano's run state lives under `<data_dir>/meltano` (mode 0700): its bookmarks (`meltano.db`)
and its system folder, where it writes each plugin's configuration, password included, for the
length of a run. The plugins' installations are shared by every data directory of the checkout
(`.meltano/` in the project, linked in). Meltano is started with umask 077, so those files are
the owner's only.

One CRM load at a time per data directory: a lock file is held for the run, and while it is
held no other load of ours can be running, so a job that Meltano still believes "running" (its
process was killed) is stale by construction: `--force` starts over it instead of failing for
the next five minutes.
"""

from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import sys
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
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
SHARED_INSTALLS = PROJECT_DIR / ".meltano"
PLUGIN_KINDS = ("extractors", "loaders")


def meltano_home(settings: Settings) -> Path:
    """`<data_dir>/meltano`: the state database and a private Meltano system folder."""
    home = settings.data_dir / "meltano"
    system = home / "system"
    system.mkdir(mode=0o700, parents=True, exist_ok=True)
    home.chmod(0o700)
    system.chmod(0o700)
    for kind in PLUGIN_KINDS:  # the plugins' virtual environments, installed once per checkout
        (SHARED_INSTALLS / kind).mkdir(parents=True, exist_ok=True)
        link = system / kind
        if not link.is_symlink():
            link.symlink_to(SHARED_INSTALLS / kind, target_is_directory=True)
    return home


def meltano_environment(
    crm: PostgresConnection, warehouse: PostgresConnection, settings: Settings
) -> dict[str, str]:
    """The plugins' settings, from the one configuration (Meltano reads them from these names)."""
    home = meltano_home(settings)
    variables = {
        "MELTANO_PROJECT_ROOT": str(PROJECT_DIR),
        "MELTANO_SYS_DIR_ROOT": str(home / "system"),
        "MELTANO_ENVIRONMENT": settings.environment,
        "MELTANO_DATABASE_URI": f"sqlite:///{home / 'meltano.db'}",
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
    """Create the plugins' virtual environments (idempotent; fast once installed). One install
    at a time per checkout: two first loads at once would build the same venvs over each other."""
    SHARED_INSTALLS.mkdir(exist_ok=True)
    with _held(SHARED_INSTALLS / "install.lock", "another process is installing Meltano's plugins"):
        _meltano(["install"], {"MELTANO_PROJECT_ROOT": str(PROJECT_DIR)}, "meltano install failed")


def plugins_installed() -> bool:
    return all(
        (SHARED_INSTALLS / kind / name / "venv").is_dir()
        for kind, name in zip(PLUGIN_KINDS, ("tap-postgres", "target-postgres"), strict=True)
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
    command = ["run", "--force", "tap-postgres", "target-postgres"]
    command += ["--full-refresh"] if full_refresh else []
    lock = meltano_home(settings) / "crm.lock"
    with _held(lock, f"another CRM load of {settings.data_dir} is running"):
        _meltano(command, meltano_environment(crm, warehouse, settings), "the CRM load failed")
    return LoadResult("crm", rows=_rows_batched_since(warehouse, started))


@contextmanager
def _held(lock_path: Path, holder: str) -> Iterator[None]:
    """The lock file `lock_path` held for the block; waits, saying why, while `holder` has it."""
    with lock_path.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("%s: waiting for it", holder)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _check_reachable(crm: PostgresConnection) -> None:
    try:
        with psycopg.connect(crm.dsn(), connect_timeout=5):
            pass
    except psycopg.OperationalError as error:
        reason = str(error).strip().splitlines()[-1] if str(error).strip() else "no answer"
        raise SourceError(f"the CRM is unreachable at {crm.describe()}: {reason}") from error


def _meltano(args: list[str], variables: dict[str, str], failure: str) -> None:
    env = {**os.environ, **variables}
    tail: deque[str] = deque(maxlen=60)
    with subprocess.Popen(
        [MELTANO, *args],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        stdin=subprocess.DEVNULL,
        umask=0o077,  # the plugins' config files hold passwords
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            tail.append(line.rstrip())
            log.debug("meltano: %s", line.rstrip())
    if process.returncode != 0:
        raise SourceError(f"{failure}: {_telling_line(tail)}")


def _telling_line(lines: deque[str]) -> str:
    """The line that says why: a plugin's own error beats Meltano's "Block run completed"."""
    generic = ("block run completed", "run completed", "exception")
    candidates = [line for line in lines if "error" in line.lower()]
    specific = [line for line in candidates if not any(g in line.lower() for g in generic)]
    return ((specific or candidates or list(lines) or ["no output"])[-1]).strip()[:500]


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
