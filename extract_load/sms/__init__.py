"""SMS short code: Twilio List Messages to our short code, in `DateSent>=` windows.

`DateSent>=` has day granularity, so every pull starts at the day of the newest `date_sent`
landed: that day is the one overlap the contract implies (a message sent later that day, or
fetched late, is in it), its messages come back again and merging on `sid` keeps each once.
RFC 2822 dates are parsed into timestamps; `date_sent` may be null (the Twilio spec allows it
for a message not sent yet) and the message lands all the same. The counts Twilio sends as
strings stay as sent.

The cursor is kept in the resource's dlt state rather than by `dlt.sources.incremental`, because
the same resource yields the quarantined messages; the state is committed with the messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache, partial
from typing import Any

import dlt
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import HttpBasicAuth
from dlt.sources.helpers.rest_client.paginators import JSONLinkPaginator

from extract_load.bulk import FILE_FORMAT, batched, inferred_table
from extract_load.files import KnownFile
from extract_load.http import api_pages, retrying_session
from extract_load.quarantine import (
    Reason,
    UnusableRecord,
    as_json,
    check_storable,
    from_json,
    quarantined,
)

SOURCE = "sms"
DATE_FIELDS = ("date_created", "date_sent", "date_updated")
NULLABLE_TEXT = ("error_message", "messaging_service_sid", "price")
MESSAGE_SID = re.compile(r"^(SM|MM)[0-9a-fA-F]{32}$")
RESOURCE = {  # the dlt hints of the raw table, for loads and for replays of quarantined messages
    "name": "messages",
    "primary_key": "sid",
    "write_disposition": "merge",
    "file_format": FILE_FORMAT,
    # Twilio sends these null on most messages; declare them so the columns always exist
    "columns": {name: {"data_type": "timestamp"} for name in DATE_FIELDS}
    | {name: {"data_type": "text"} for name in NULLABLE_TEXT}
    | {"error_code": {"data_type": "bigint"}},
}
bulk_item = partial(inferred_table, declared=RESOURCE["columns"])  # rows as its load yields them


# a message's three dates are often the same second, and a page's messages share seconds
read_rfc2822 = lru_cache(maxsize=4096)(parsedate_to_datetime)


def parse_message(message: dict[str, Any]) -> dict[str, Any]:
    """The message with its dates parsed; UnusableRecord when it breaks the contract."""
    if not isinstance(message, dict):
        raise UnusableRecord(Reason.INVALID_VALUE, "not a JSON object")
    if not isinstance(message.get("sid"), str) or not MESSAGE_SID.match(message["sid"]):
        raise UnusableRecord(Reason.INVALID_VALUE, f"sid {str(message.get('sid'))[:40]!r}")
    dates = {}
    for name in DATE_FIELDS:
        value = message.get(name)
        try:
            dates[name] = read_rfc2822(value) if value else None
        except (TypeError, ValueError) as error:
            raise UnusableRecord(
                Reason.BAD_TIMESTAMP, f"{name} {str(value)[:40]!r} is not RFC 2822"
            ) from error
        if dates[name] is not None and dates[name].utcoffset() is None:
            raise UnusableRecord(Reason.BAD_TIMESTAMP, f"{name} {value!r} has no UTC offset")
    if dates["date_sent"] is None and dates["date_created"] is None:
        raise UnusableRecord(Reason.MISSING_FIELD, "neither date_sent nor date_created")
    check_storable(message)
    return {**message, **dates}


def replay_row(
    payload: bytes, origin: str, known: dict[str, KnownFile], max_bytes: int
) -> dict[str, Any]:
    """A corrected quarantined message (its JSON), checked as one from the API."""
    return parse_message(from_json(payload))


@dlt.source(name=SOURCE)
def sms_source(
    base_url: str,
    account_sid: str,
    auth_token: str,
    short_code: str,
    start_time: datetime | None = None,
    end_time: datetime | None = None,
    resume: bool = True,
) -> dlt.sources.DltResource:
    client = RESTClient(
        base_url=base_url,
        auth=HttpBasicAuth(account_sid, auth_token),
        paginator=JSONLinkPaginator(next_url_path="next_page_uri"),
        session=retrying_session(),
    )

    def pages() -> Iterator[Any]:
        state = dlt.current.resource_state()
        newest = (
            datetime.fromisoformat(state["newest_sent"])
            if resume and "newest_sent" in state
            else None
        )
        start = start_time or newest
        params: dict[str, object] = {"To": short_code, "PageSize": 1000}
        if start is not None:
            params["DateSent>"] = start.date().isoformat()
        path = f"/2010-04-01/Accounts/{account_sid}/Messages.json"
        for url, body in api_pages(client, "the SMS API", path, params, "messages"):
            rows = []
            for message in body.get("messages") or []:
                try:
                    row = parse_message(message)
                except UnusableRecord as error:
                    yield quarantined(SOURCE, error.reason, as_json(message), url, error.detail)
                    continue
                sent = row["date_sent"]
                if end_time and sent and sent > end_time:
                    continue  # a backfill's range ends there
                rows.append(row)
                if sent and (newest is None or sent > newest):
                    newest = sent
            yield rows
        if newest and not (start_time or end_time):
            state["newest_sent"] = newest.isoformat()

    @dlt.resource(**RESOURCE)
    def messages() -> Iterator[Any]:
        yield from batched(pages(), bulk_item)

    return messages
