"""An operator's decisions on quarantined records: replay a corrected payload, or dismiss it.

A replay reads the corrected payload with the very parser and checks its source uses (the
source package's `replay_row`: a call-centre line, a web-form row under its export's header, an
API record as JSON), then loads it through the source's own dlt pipeline and table hints: the
row merges on the source's natural key, so it lands in raw once however often it is replayed.
A payload that is still unusable lands nowhere but in the decisions, with its new reason.

Every decision is a row of `quarantine_decisions` in the source's raw schema (who, when, what
came of it, and the corrected payload), written in the same load package as the replayed row.
Nothing is deleted: the quarantined record stays, its status follows its latest decision.
Replays and dismissals take the source's load lock, so they never race its loads.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import dlt

from beejan.core.connections import PostgresConnection
from beejan.core.errors import BeejanError
from beejan.core.locks import raw_lock, warehouse_lock
from beejan.core.roles import login_as
from beejan.core.settings import Settings
from extract_load.files import KnownFile
from extract_load.pipeline import LoadResult, run_dlt_source
from extract_load.quarantine import Outcome, UnusableRecord, decision
from extract_load.quarantine_review import get_record
from extract_load.registry import SOURCES, DltSource
from extract_load.runner import publish_raw

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decided:
    """What a replay or dismissal came to: the record, the outcome (None when the record was
    already closed and nothing was done), and a sentence for the operator."""

    record: dict[str, Any]
    outcome: Outcome | None
    message: str


def replay(
    record_id: str,
    payload: bytes,
    decided_by: str,
    settings: Settings,
    connection: PostgresConnection,
) -> Decided:
    """Replay `payload` as the corrected form of quarantined record `record_id`."""
    record = get_record(connection, record_id)
    if closed := _closed(record):
        return closed
    package = _dlt_source(record).replayable()
    outcome: list[tuple[Outcome, str]] = []  # what the parser made of it, said by `items`

    def items(known: dict[str, KnownFile]) -> Iterator[Any]:
        try:
            row = package.replay_row(payload, record["origin"], known, settings.max_record_bytes)
        except UnusableRecord as error:
            outcome.append((Outcome.REQUARANTINED, f"{error.reason} ({error.detail})"))
            yield decision(
                record,
                Outcome.REQUARANTINED,
                decided_by,
                reason=error.reason.value,
                detail=error.detail,
                payload=payload,
            )
            return
        outcome.append((Outcome.REPLAYED, ""))
        yield package.bulk_item([row])  # the path its load takes
        yield decision(record, Outcome.REPLAYED, decided_by, payload=payload)

    load = _load(record, package.RESOURCE, items, settings, connection)
    [(done, problem)] = outcome
    if done is Outcome.REPLAYED:
        message = f"replayed: {load.rows_summary()} landed in raw_{record['source']}"
    else:
        message = f"still unusable, kept in quarantine: {problem}"
    log.info(message, extra={"source": record["source"], "step": "replay"})
    return Decided(record, done, message)


def dismiss(
    record_id: str, why: str, decided_by: str, settings: Settings, connection: PostgresConnection
) -> Decided:
    """Close quarantined record `record_id` for good, saying why; the record itself stays."""
    if not why.strip():
        raise BeejanError("say why the record is dismissed (--reason)")
    record = get_record(connection, record_id)
    if closed := _closed(record):
        return closed
    resource = _dlt_source(record).replayable().RESOURCE

    def items(known: dict[str, KnownFile]) -> Iterator[Any]:
        yield decision(record, Outcome.DISMISSED, decided_by, detail=why)

    _load(record, resource, items, settings, connection)
    log.info("dismissed", extra={"source": record["source"], "step": "dismiss"})
    message = "dismissed; the record stays, counted as dismissed"
    return Decided(record, Outcome.DISMISSED, message)


def _closed(record: dict[str, Any]) -> Decided | None:
    """A replayed or dismissed record is closed: deciding again changes nothing."""
    if record["status"] == "open":
        return None
    when = f"{record['decided_at']:%Y-%m-%d %H:%M} UTC"
    message = f"already {record['status']} by {record['decided_by']} at {when}: nothing done"
    return Decided(record, None, message)


def _dlt_source(record: dict[str, Any]) -> DltSource:
    source = SOURCES.get(record["source"])
    if not isinstance(source, DltSource):
        raise BeejanError(f"records of {record['source']!r} cannot be replayed")
    return source


def _load(
    record: dict[str, Any],
    resource: dict[str, Any],
    items: Any,
    settings: Settings,
    connection: PostgresConnection,
) -> LoadResult:
    """Load what `items(known files)` yields into the source's raw schema, through its own
    pipeline and under its load lock, as the loader role."""
    name = record["source"]
    loader = login_as("loader", connection, settings)

    def build(known: dict[str, KnownFile]) -> dlt.sources.DltSource:
        @dlt.source(name=name)
        def replayed() -> dlt.sources.DltResource:
            return dlt.resource(items(known), **resource)

        return replayed()

    with warehouse_lock(connection, raw_lock(name)):
        load = run_dlt_source(name, build, loader, settings)
    publish_raw(connection, loader, [name])
    return load
