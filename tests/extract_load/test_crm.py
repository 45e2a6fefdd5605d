"""Meltano lands the simulator's CRM in raw_crm: everything once, then only what changed."""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from beejan.core.connections import PostgresConnection
from beejan.core.errors import SourceError
from beejan.core.roles import ensure_roles, login_as
from beejan.core.settings import PROJECT_DIR, Settings
from extract_load.crm import TABLES, load_crm
from simulator.live import LiveScenario
from tests.conftest import create_database, drop_database
from tests.extract_load.conftest import table_rows

KEYS = {
    "customers": "customer_id",
    "plans": "plan_code",
    "regions": "region_code",
    "tickets": "ticket_id",
    "network_incidents": "incident_id",
}


def crm_load(warehouse: PostgresConnection, **options):
    return load_crm(Settings(_env_file=None), warehouse, **options)


def counts(connection: PostgresConnection, schema: str) -> dict[str, int]:
    with psycopg.connect(connection.dsn()) as conn:
        return {
            table: conn.execute(
                sql.SQL("select count(*) from {}").format(sql.Identifier(schema, table))
            ).fetchone()[0]
            for table in TABLES
        }


def test_first_run_copies_every_row_of_the_five_tables(sources: LiveScenario, project_env) -> None:
    result = crm_load(project_env)
    source_counts = counts(sources.scenario.crm, "public")
    assert counts(project_env, "raw_crm") == source_counts
    assert result.rows == source_counts
    assert all(source_counts.values())


def test_next_run_copies_only_new_and_changed_rows(sources: LiveScenario, project_env) -> None:
    crm_load(project_env)
    with psycopg.connect(sources.scenario.crm.dsn()) as conn:
        bookmarks = {
            t: conn.execute(
                sql.SQL("select max(updated_at) from {}").format(sql.Identifier(t))
            ).fetchone()[0]
            for t in TABLES
        }
    sources.advance(1)
    result = crm_load(project_env)
    with psycopg.connect(sources.scenario.crm.dsn()) as conn:
        # what a correct incremental run must copy: rows changed since the bookmark, boundary
        # included (tap-postgres reads `updated_at >= bookmark`; the upsert makes that harmless)
        changed = {
            t: conn.execute(
                sql.SQL("select count(*) from {} where updated_at >= %s").format(sql.Identifier(t)),
                (bookmarks[t],),
            ).fetchone()[0]
            for t in TABLES
        }
    assert result.rows == changed
    assert result.rows["customers"] < counts(sources.scenario.crm, "public")["customers"]
    assert counts(project_env, "raw_crm") == counts(sources.scenario.crm, "public")
    with psycopg.connect(project_env.dsn()) as conn:
        for table, key in KEYS.items():
            duplicates = conn.execute(
                sql.SQL("select count(*) - count(distinct {}) from {}").format(
                    sql.Identifier(key), sql.Identifier("raw_crm", table)
                )
            ).fetchone()[0]
            assert duplicates == 0, table


def test_run_without_change_copies_only_the_boundary_rows(
    sources: LiveScenario, project_env
) -> None:
    crm_load(project_env)
    before = counts(project_env, "raw_crm")
    result = crm_load(project_env)
    assert counts(project_env, "raw_crm") == before
    with psycopg.connect(sources.scenario.crm.dsn()) as conn:
        boundary = {
            t: conn.execute(
                sql.SQL(
                    "select count(*) from {0} where updated_at = (select max(updated_at) from {0})"
                ).format(sql.Identifier(t))
            ).fetchone()[0]
            for t in TABLES
        }
    assert result.rows == boundary


def test_full_refresh_copies_everything_again_without_duplicates(
    sources: LiveScenario, project_env
) -> None:
    crm_load(project_env)
    result = crm_load(project_env, full_refresh=True)
    source_counts = counts(sources.scenario.crm, "public")
    assert result.rows == source_counts
    assert counts(project_env, "raw_crm") == source_counts


def test_closed_accounts_stay_with_their_status(sources: LiveScenario, project_env) -> None:
    with psycopg.connect(sources.scenario.crm.dsn()) as conn:
        conn.execute(
            "update customers set status = 'closed', updated_at = now() where customer_id = 100001"
        )
    crm_load(project_env)
    with psycopg.connect(project_env.dsn()) as conn:
        assert conn.execute(
            "select status from raw_crm.customers where customer_id = 100001"
        ).fetchone() == ("closed",)


def test_timestamps_keep_their_instant_across_time_zones(
    sources: LiveScenario, project_env, warehouse
) -> None:
    crm = sources.scenario.crm
    with psycopg.connect(warehouse.dsn("postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("alter database {} set timezone = 'America/New_York'").format(
                sql.Identifier(crm.database)
            )
        )
        conn.execute(
            sql.SQL("alter database {} set timezone = 'Africa/Lagos'").format(
                sql.Identifier(project_env.database)
            )
        )
    crm_load(project_env)
    with psycopg.connect(crm.dsn()) as conn:
        conn.execute("set time zone 'Asia/Tokyo'")
        source = dict(conn.execute("select ticket_id, opened_at from tickets").fetchall())
    with psycopg.connect(project_env.dsn()) as conn:
        raw = dict(
            conn.execute(
                "select ticket_id, opened_at at time zone 'UTC' from raw_crm.tickets"
            ).fetchall()
        )
    assert raw == source


def test_unreachable_crm_is_a_clear_error_and_leaves_raw_untouched(
    sources: LiveScenario, project_env, monkeypatch: pytest.MonkeyPatch
) -> None:
    crm_load(project_env)
    before = counts(project_env, "raw_crm")
    monkeypatch.setenv("BEEJAN_CRM_DSN", "postgresql://reader:wrong@127.0.0.1:9/crm")
    with pytest.raises(SourceError, match=r"the CRM is unreachable at reader@127.0.0.1:9/crm"):
        crm_load(project_env)
    assert counts(project_env, "raw_crm") == before


def test_bad_credentials_are_a_clear_error(
    sources: LiveScenario, project_env, monkeypatch: pytest.MonkeyPatch
) -> None:
    crm = sources.scenario.crm
    monkeypatch.setenv("BEEJAN_CRM_DSN", crm.dsn().replace(f":{crm.password}@", ":wrong@"))
    with pytest.raises(SourceError, match="password authentication failed"):
        crm_load(project_env)


SKIPPED_TREES = {".venv", ".git", "venv", "node_modules", "__pycache__", ".ruff_cache"}


def files_holding(roots: list[Path], secrets: list[str]) -> dict[str, int]:
    """Files under `roots` that hold one of `secrets`, with their permission bits."""
    found = {}
    for root in roots:
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = [name for name in subfolders if name not in SKIPPED_TREES]
            for name in names:
                path = Path(folder, name)
                with contextlib.suppress(OSError):  # files come and go during a run
                    mode = path.stat().st_mode
                    if path.stat().st_size < 1_000_000 and any(
                        secret.encode() in path.read_bytes() for secret in secrets
                    ):
                        found[str(path)] = mode & 0o777
    return found


def test_no_file_with_a_password_is_readable_by_others_during_and_after_a_crm_load(
    sources: LiveScenario, project_env
) -> None:
    settings = Settings(_env_file=None)
    ensure_roles(project_env, settings)
    loader = login_as("loader", project_env, settings)
    secrets = [project_env.password, loader.password, sources.scenario.crm.password]
    roots = [PROJECT_DIR, settings.data_dir]
    seen: dict[str, int] = {}
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.update(files_holding(roots, secrets))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        load_crm(settings, loader)
    finally:
        done.set()
        watcher.join()
    seen.update(files_holding(roots, secrets))
    assert {path: oct(mode) for path, mode in seen.items() if mode & 0o077} == {}
    # it looked where Meltano writes the plugins' configuration, during the run
    assert any("/meltano/system/run/" in path for path in seen), sorted(seen)


def sent_by_the_crm(column: str) -> bool:
    """Not one of target-postgres's metadata columns, which differ between any two loads."""
    return not column.startswith("_sdc_")


# What a bulk path mangles first. PostgreSQL text cannot hold a NUL byte, so no CRM row has one.
AWKWARD_TEXT = [
    "back\\slash and \\N",
    "tab\there",
    "new\nline and carriage\r\nreturn",
    'quote " and \' and ""',
    "comma, semicolon; pipe|",
    "emoji 😡📶 and accents éàü",
    "NULL",
    "",
    " leading and trailing spaces ",
]


def test_copy_lands_awkward_text_exactly_as_inserts_did(
    sources: LiveScenario, project_env, warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """target-postgres loads with COPY (`use_copy`, on in meltano.yml): the same rows as its
    INSERT path."""
    with psycopg.connect(sources.scenario.crm.dsn()) as conn:
        ids = [row[0] for row in conn.execute("select customer_id from customers order by 1")]
        for customer_id, text in zip(ids, AWKWARD_TEXT, strict=False):
            conn.execute(
                "update customers set full_name = %s, updated_at = now() where customer_id = %s",
                (text, customer_id),
            )
    copied = create_database(warehouse, f"test_copy_{uuid.uuid4().hex[:8]}")
    try:
        monkeypatch.setenv("TARGET_POSTGRES_USE_COPY", "false")
        crm_load(project_env)
        monkeypatch.setenv("TARGET_POSTGRES_USE_COPY", "true")
        ensure_roles(copied, Settings(_env_file=None))
        crm_load(copied, full_refresh=True)
        for table, key in KEYS.items():
            inserted, by_copy = (
                table_rows(db, "raw_crm", table, key, sent_by_the_crm)
                for db in (project_env, copied)
            )
            assert by_copy == inserted, table
        with psycopg.connect(copied.dsn()) as conn:
            names = {name for (name,) in conn.execute("select full_name from raw_crm.customers")}
        assert set(AWKWARD_TEXT) <= names
    finally:
        drop_database(warehouse, copied.database)
