"""The sources, by name: how each one is loaded, configured from the settings.

Adding a source means adding an entry here (and its package beside this module); nothing else
chooses between sources.

The loaders (dlt, Arrow, Meltano) are imported when a source loads, not with this module: the
command line reads the source names from here, and `beejan --help` or `beejan build` should not
wait for them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    import dlt

    from beejan.core.connections import PostgresConnection
    from beejan.core.settings import Settings
    from extract_load.bulk import BulkItem
    from extract_load.files import KnownFile, Window
    from extract_load.pipeline import LoadResult

    DltFactory = Callable[[Settings, Window, dict[str, KnownFile]], dlt.sources.DltSource]


class Source(Protocol):
    name: str

    def load(
        self, settings: Settings, connection: PostgresConnection, window: Window
    ) -> LoadResult: ...


class Replayable(Protocol):
    """What a dlt source's package offers to replay a corrected quarantined record."""

    RESOURCE: dict[str, Any]  # the dlt hints of its raw table
    bulk_item: BulkItem  # its rows as its load yields them (an Arrow table)

    def replay_row(
        self, payload: bytes, origin: str, known: dict[str, KnownFile], max_bytes: int
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class DltSource:
    """A source landed by a dlt pipeline into `raw_<name>`."""

    name: str
    factory: DltFactory
    package: str  # the module that parses it: replays of its quarantined records go through it

    def replayable(self) -> Replayable:
        return cast(Replayable, importlib.import_module(self.package))

    def load(
        self, settings: Settings, connection: PostgresConnection, window: Window
    ) -> LoadResult:
        from extract_load.pipeline import run_dlt_source

        return run_dlt_source(
            self.name, lambda known: self.factory(settings, window, known), connection, settings
        )


@dataclass(frozen=True)
class MeltanoSource:
    """The CRM, landed by Meltano (meltano.yml) into `raw_crm`."""

    name: str = "crm"

    def load(
        self, settings: Settings, connection: PostgresConnection, window: Window
    ) -> LoadResult:
        from extract_load.crm import load_crm

        return load_crm(settings, connection, full_refresh=window.from_scratch)


def _instants(window: Window) -> tuple[datetime | None, datetime | None]:
    start = datetime.combine(window.start, time.min, UTC) if window.start else None
    end = datetime.combine(window.end, time.max, UTC) if window.end else None
    return start, end


def _social(settings: Settings, window: Window, known: dict[str, KnownFile]):
    from extract_load.social import social_source

    return social_source(
        settings.social_api_base,
        settings.social_bearer_token.get_secret_value(),
        settings.social_query,
        *_instants(window),
        resume=not window.from_scratch,
    )


def _sms(settings: Settings, window: Window, known: dict[str, KnownFile]):
    from extract_load.sms import sms_source

    return sms_source(
        settings.sms_api_base,
        settings.sms_account_sid,
        settings.sms_auth_token.get_secret_value(),
        settings.sms_short_code,
        *_instants(window),
        resume=not window.from_scratch,
    )


def _call_center(settings: Settings, window: Window, known: dict[str, KnownFile]):
    from extract_load.call_center import call_center_source

    return call_center_source(
        settings.landing_path / "call_center", known, window, settings.max_record_bytes
    )


def _web_forms(settings: Settings, window: Window, known: dict[str, KnownFile]):
    from extract_load.web_forms import web_forms_source

    return web_forms_source(
        settings.landing_path / "web_forms", known, window, settings.max_record_bytes
    )


SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        DltSource("social", _social, "extract_load.social"),
        DltSource("sms", _sms, "extract_load.sms"),
        DltSource("call_center", _call_center, "extract_load.call_center"),
        DltSource("web_forms", _web_forms, "extract_load.web_forms"),
        MeltanoSource(),
    )
}
ALL_SOURCES = tuple(SOURCES)
