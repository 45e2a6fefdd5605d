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


@contextmanager
def warehouse_lock(connection: PostgresConnection, name: str) -> Iterator[None]:
    """Hold the lock `name` for the block, waiting for whoever holds it now."""
    with psycopg.connect(connection.dsn(), autocommit=True) as conn:
        taken = conn.execute("select pg_try_advisory_lock(hashtext(%s))", (name,)).fetchone()[0]
        if not taken:
            log.info("waiting for the lock %s, held by another session", name)
            conn.execute("select pg_advisory_lock(hashtext(%s))", (name,))
        try:
            yield
        finally:
            conn.execute("select pg_advisory_unlock(hashtext(%s))", (name,))
