"""Locks over the state that runs share, held in the warehouse itself (PostgreSQL advisory
locks), so that they hold across processes and machines: two loads of one source never run at
once, nor two dbt builds of one environment. A lock is released when its block ends, or when
the process holding it dies (its connection closes)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from beejan.core.connections import PostgresConnection

log = logging.getLogger(__name__)


def raw_lock(name: str) -> str:
    """The lock over `raw_<name>` (and dlt's `raw_<name>_staging`), held by whatever writes
    there: a load or a replay of the source; for `quarantine`, the views' publication."""
    return f"beejan:raw:{name}"


@contextmanager
def warehouse_lock(
    connection: PostgresConnection, name: str, *, wait: bool = True
) -> Iterator[bool]:
    """Hold the lock `name` for the block, waiting for whoever holds it now. With `wait=False`
    the block runs at once and is told False when someone else holds the lock."""
    with psycopg.connect(connection.dsn(), autocommit=True) as conn:
        taken = conn.execute("select pg_try_advisory_lock(hashtext(%s))", (name,)).fetchone()[0]
        if not taken and not wait:
            yield False
            return
        if not taken:
            log.info("waiting for the lock %s, held by another session", name)
            conn.execute("select pg_advisory_lock(hashtext(%s))", (name,))
        try:
            yield True
        finally:
            conn.execute("select pg_advisory_unlock(hashtext(%s))", (name,))
