"""The embedded warehouse: a real PostgreSQL from the pip wheel, started and stopped for real."""

from __future__ import annotations

import os
import pwd
import socket
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest

from beejan.core.errors import WarehouseError
from beejan.core.settings import Settings
from beejan.core.warehouse import SERVER_SYSTEM_USER, EmbeddedWarehouse, warehouse_connection


def postgres_processes_using(pgdata: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name", "cmdline", "status"]):
        cmdline = process.info["cmdline"] or []
        if process.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        if process.info["name"] == "postgres" and str(pgdata) in cmdline:
            found.append(process)
    return found


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedWarehouse]:
    server = EmbeddedWarehouse(tmp_path / "warehouse", "beejan")
    yield server
    server.stop()


def test_start_twice_is_harmless_and_keeps_the_same_server(server: EmbeddedWarehouse) -> None:
    first = server.start()
    pid = server.status().pid
    second = server.start()
    assert second == first
    assert server.status().pid == pid
    with psycopg.connect(first.dsn()) as conn:
        assert conn.execute("select current_database()").fetchone() == ("beejan",)


def test_stop_leaves_no_postgres_process_behind(server: EmbeddedWarehouse) -> None:
    server.start()
    assert postgres_processes_using(server.pgdata)
    assert server.stop() is True
    assert postgres_processes_using(server.pgdata) == []
    assert server.status().running is False
    assert server.stop() is False


def test_server_listens_on_localhost_only(server: EmbeddedWarehouse) -> None:
    connection = server.start()
    with psycopg.connect(connection.dsn()) as conn:
        assert conn.execute("show listen_addresses").fetchone() == ("127.0.0.1",)
        assert conn.execute("show unix_socket_directories").fetchone() == ("",)


def test_every_login_needs_the_password(server: EmbeddedWarehouse) -> None:
    connection = server.start()
    with psycopg.connect(connection.dsn()) as conn:
        methods = {row[0] for row in conn.execute("select auth_method from pg_hba_file_rules")}
    assert methods == {"scram-sha-256"}
    wrong = connection.as_login(connection.user, "wrong")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(wrong.dsn())


def test_restart_reuses_data_and_password(server: EmbeddedWarehouse) -> None:
    connection = server.start()
    with psycopg.connect(connection.dsn(), autocommit=True) as conn:
        conn.execute("create table kept (id int)")
    server.stop()
    restarted = server.start()
    assert restarted.password == connection.password
    with psycopg.connect(restarted.dsn()) as conn:
        assert conn.execute("select count(*) from kept").fetchone() == (0,)


def test_corrupt_data_directory_gives_a_clear_error(server: EmbeddedWarehouse) -> None:
    server.start()
    server.stop()
    (server.pgdata / "global" / "pg_control").write_bytes(b"garbage")
    with pytest.raises(WarehouseError, match="did not start"):
        server.start()


def test_foreign_directory_is_not_taken_for_a_data_directory(tmp_path: Path) -> None:
    pgdata = tmp_path / "warehouse" / "pgdata"
    pgdata.mkdir(parents=True)
    (pgdata / "notes.txt").write_text("not a database")
    with pytest.raises(WarehouseError, match="not a PostgreSQL data directory"):
        EmbeddedWarehouse(tmp_path / "warehouse", "beejan").start()


def test_requested_port_in_use_gives_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        server = EmbeddedWarehouse(tmp_path / "warehouse", "beejan", port=port)
        with pytest.raises(WarehouseError, match=f"port {port}.*already in use"):
            server.start()


def test_unreachable_external_warehouse_gives_a_clear_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings = Settings(warehouse_dsn=f"postgresql://someone:secret@127.0.0.1:{closed_port}/x")
    with pytest.raises(
        WarehouseError, match=f"cannot reach the warehouse at someone@127.0.0.1:{closed_port}/x"
    ):
        warehouse_connection(settings)


@pytest.mark.skipif(os.geteuid() != 0, reason="the other tests already run as a normal user")
def test_runs_as_a_normal_user_too(tmp_path: Path) -> None:
    """As root, the server runs as a system user; here the whole warehouse is run by a normal
    user (a forked child that dropped root), which must work the same way."""
    from beejan.core.warehouse import _allow_traversal_of_parents, _server_system_user

    _server_system_user()  # make sure the unprivileged account exists
    user = pwd.getpwnam(SERVER_SYSTEM_USER)
    home = tmp_path / "normal-user"
    home.mkdir()
    os.chown(home, user.pw_uid, user.pw_gid)
    _allow_traversal_of_parents(home)

    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child, reports through its exit code
        code = 1
        try:
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
            server = EmbeddedWarehouse(home / "warehouse", "beejan")
            connection = server.start()
            with psycopg.connect(connection.dsn()) as conn:
                ok = conn.execute("select 1").fetchone() == (1,)
            code = 0 if ok and server.stop() and not server.status().running else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert postgres_processes_using(home / "warehouse" / "pgdata") == []
