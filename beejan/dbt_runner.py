"""Run dbt against the resolved warehouse, in-process, with the profile in ``profiles.yml``."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from beejan.core.connections import PostgresConnection
from beejan.core.errors import BeejanError
from beejan.core.roles import ensure_roles, login_as
from beejan.core.settings import PROJECT_DIR, Settings, get_settings

DBT_PROJECT_DIR = PROJECT_DIR / "dbt_project"
DBT_PROFILES_DIR = PROJECT_DIR


class DbtError(BeejanError):
    """A dbt command failed (a model, a test or the invocation itself)."""


def dbt_environment(connection: PostgresConnection, settings: Settings) -> dict[str, str]:
    """The variables ``profiles.yml`` reads with ``env_var()``."""
    salt = {"BEEJAN_PII_SALT": settings.pii_salt.get_secret_value()} if settings.pii_salt else {}
    return salt | {
        "BEEJAN_PG_HOST": connection.host,
        "BEEJAN_PG_PORT": str(connection.port),
        "BEEJAN_PG_USER": connection.user,
        "BEEJAN_PG_PASSWORD": connection.password,
        "BEEJAN_PG_DATABASE": connection.database,
        "DBT_TARGET": settings.dbt_target,
    }


@contextmanager
def environment(variables: dict[str, str]) -> Iterator[None]:
    """Set variables for the duration of an in-process tool run, then restore the old values."""
    previous = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_dbt(args: Sequence[str], connection: PostgresConnection, settings: Settings | None = None):
    """Invoke dbt (e.g. ``["build"]``) and raise ``DbtError`` unless it succeeds.

    ``connection`` may administer the warehouse; with BEEJAN_TRANSFORMER_PASSWORD set, dbt logs
    in as the transformer role instead, so everything it builds belongs to that role."""
    from dbt.cli.main import dbtRunner

    settings = settings or get_settings()
    if transformer := login_as("transformer", connection, settings):
        ensure_roles(connection, settings)
        connection = transformer
    full_args = [
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROFILES_DIR),
    ]
    with environment(dbt_environment(connection, settings)):
        result = dbtRunner().invoke(full_args)
    if not result.success:
        reason = result.exception or "a model or test failed (see the dbt output above)"
        raise DbtError(f"dbt {' '.join(args)} failed: {reason}")
    return result
