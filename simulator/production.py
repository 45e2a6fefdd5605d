"""A scenario played the way production meets the world: days pass a few at a time, and the
pipeline loads every source after each step (within X's seven-day search window) and builds
when asked. Used by the accuracy benchmark and the intelligence tests."""

from __future__ import annotations

from collections.abc import Callable

from beejan.core.connections import PostgresConnection
from beejan.core.roles import ensure_roles
from beejan.core.settings import Settings
from beejan.dbt_runner import run_dbt
from extract_load.registry import ALL_SOURCES
from extract_load.runner import load_sources
from simulator.live import LiveScenario

LOAD_EVERY_DAYS = 6  # X's recent search keeps seven


def play(
    running: LiveScenario,
    warehouse: PostgresConnection,
    settings: Settings,
    days: int,
    build_after: Callable[[int], bool] = lambda day: False,
) -> None:
    """Move a live one-day scenario on to `days` days, loading after every step; build after
    the steps for which `build_after(days so far)` holds, and always at the end."""
    ensure_roles(warehouse, settings)
    played = running.scenario.days
    while True:
        results = load_sources(ALL_SOURCES, settings, warehouse)
        failed = [f"{result.source}: {result.error}" for result in results if not result.ok]
        if failed:
            raise RuntimeError(f"loading failed on day {played}: {'; '.join(failed)}")
        if played >= days or build_after(played):
            run_dbt(["build"], warehouse, settings)
        if played >= days:
            return
        step = min(LOAD_EVERY_DAYS, days - played)
        running.advance(step)
        played += step
