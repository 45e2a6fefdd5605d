"""SMS short code: Twilio List Messages to our short code, in `DateSent>=` windows.

`DateSent>=` has day granularity, so every pull re-reads the last day (and, with one day of lag,
the day before, for late deliveries); merging on `sid` keeps each message once. RFC 2822 dates
are parsed into timestamps; the counts Twilio sends as strings stay as sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import dlt
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import HttpBasicAuth
from dlt.sources.helpers.rest_client.paginators import JSONLinkPaginator
from requests import RequestException

from extract_load.http import retrying_session, source_error
from extract_load.quarantine import Quarantine, as_json

DATE_FIELDS = ("date_created", "date_sent", "date_updated")
NULLABLE_TEXT = ("error_message", "messaging_service_sid", "price")
LATE_DELIVERY = timedelta(days=1)
LATE_DELIVERY_S = LATE_DELIVERY.total_seconds()


@dlt.source(name="sms")
def sms_source(
    base_url: str,
    account_sid: str,
    auth_token: str,
    short_code: str,
    quarantine: Quarantine,
    start_time: datetime | None = None,
    end_time: datetime | None = None,
) -> dlt.sources.DltResource:
    client = RESTClient(
        base_url=base_url,
        auth=HttpBasicAuth(account_sid, auth_token),
        paginator=JSONLinkPaginator(next_url_path="next_page_uri"),
        session=retrying_session(),
    )

    @dlt.resource(
        name="messages",
        primary_key="sid",
        write_disposition="merge",
        # Twilio sends these null on most messages; declare them so the columns always exist
        columns={name: {"data_type": "timestamp"} for name in DATE_FIELDS}
        | {name: {"data_type": "text"} for name in NULLABLE_TEXT}
        | {"error_code": {"data_type": "bigint"}},
    )
    def messages(
        sent: dlt.sources.incremental[datetime] = dlt.sources.incremental(
            "date_sent",
            initial_value=start_time,
            end_value=end_time,
            lag=LATE_DELIVERY_S,
        ),
    ) -> Iterator[dict]:
        params: dict[str, object] = {"To": short_code, "PageSize": 1000}
        if sent.start_value is not None:
            params["DateSent>"] = (sent.start_value - LATE_DELIVERY).date().isoformat()
        path = f"/2010-04-01/Accounts/{account_sid}/Messages.json"
        try:
            for page in client.paginate(path, params=params, data_selector="messages"):
                yield from _parsed(page, quarantine, page.request.url)
        except RequestException as error:
            raise source_error("the SMS API", base_url, error) from error

    return messages


def _parsed(messages, quarantine: Quarantine, origin: str) -> Iterator[dict]:
    for message in messages:
        try:
            dates = {
                name: parsedate_to_datetime(message[name]) if message.get(name) else None
                for name in DATE_FIELDS
            }
        except (TypeError, ValueError):
            quarantine.add("unparseable RFC 2822 date", as_json(message), origin)
            continue
        if not message.get("sid") or dates["date_sent"] is None:
            quarantine.add("message without sid or date_sent", as_json(message), origin)
            continue
        yield {**message, **dates}
