"""The SMS short code: messages as Twilio's List Messages returns them, and the endpoint itself.

Messages are stored one JSON line each under the scenario's ``api/sms`` folder. ``DateSent>=``
has day granularity, so every pull that starts at the last day seen gets that day again.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from simulator.api_day import ApiDay
from simulator.serving import FaultDice
from simulator.text import SMS_KEYWORDS, complaint_text, follow_up_text
from simulator.truth import TruthWriter
from simulator.world import REGION_ALIASES, Complaint, World

API_VERSION = "2010-04-01"


def message_sid(seed: int, key: str) -> str:
    return "SM" + hashlib.md5(f"{seed}:{key}".encode()).hexdigest()


def account_sid_for(seed: int) -> str:
    return "AC" + hashlib.md5(f"{seed}:account".encode()).hexdigest()


def rfc2822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC))


def message_record(
    *,
    sid: str,
    account_sid: str,
    from_: str,
    to: str,
    body: str,
    direction: str,
    sent_at: datetime,
) -> dict[str, object]:
    stamp = rfc2822(sent_at)
    inbound = direction == "inbound"
    return {
        "sid": sid,
        "account_sid": account_sid,
        "from": from_,
        "to": to,
        "body": body,
        "direction": direction,
        "status": "received" if inbound else "delivered",
        "num_segments": str(1 + len(body) // 160),
        "num_media": "0",
        "date_created": stamp,
        "date_sent": stamp,
        "date_updated": stamp,
        "price": None if inbound else "-0.00750",
        "price_unit": "USD",
        "error_code": None,
        "error_message": None,
        "messaging_service_sid": None,
        "api_version": API_VERSION,
        "uri": f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}.json",
        "subresource_uris": {
            "media": f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}/Media.json"
        },
    }


class MessageStore:
    """Every stored message, newest first, with when it was sent (parsed once: a listing filters
    them all for every page, and parsing every date for every page made a month quadratic)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.reload()

    def reload(self) -> None:
        rows = []
        for path in sorted(self.folder.glob("day-*.jsonl")):
            with path.open(encoding="utf-8") as lines:
                rows += [json.loads(line) for line in lines]
        dated = sorted(
            ((parsedate_to_datetime(message["date_sent"]), message) for message in rows),
            key=lambda pair: (pair[0], pair[1]["sid"]),
            reverse=True,
        )
        self.messages = [message for _, message in dated]
        self._order = [-sent.timestamp() for sent, _ in dated]  # ascending, for bisect
        self._last: tuple[tuple, list[dict[str, object]]] = ((), [])

    def matching(
        self, to: str | None, sent_from: date | None, now: datetime
    ) -> list[dict[str, object]]:
        """The messages to `to` sent by `now`, on or after the day `sent_from`, newest first
        (the last answer is kept: every page of a listing asks the same)."""
        key = (to, sent_from, now)
        if self._last[0] != key:
            newest = bisect.bisect_left(self._order, -now.timestamp())
            oldest = len(self._order)
            if sent_from is not None:
                day = datetime.combine(sent_from, time.min, UTC)
                oldest = bisect.bisect_right(self._order, -day.timestamp())
            found = [m for m in self.messages[newest:oldest] if not to or m["to"] == to]
            self._last = (key, found)
        return self._last[1]


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {
        "code": 20000 + status,
        "message": message,
        "more_info": "https://www.twilio.com/docs/errors",
        "status": status,
    }
    return JSONResponse(body, status_code=status, headers=headers)


def create_app(
    store: MessageStore,
    account_sid: str,
    auth_token: str,
    clock: Callable[[], datetime],
    dice: FaultDice,
) -> FastAPI:
    app = FastAPI(title="Simulated Twilio API (List Messages)")
    expected_auth = "Basic " + base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()

    @app.get(f"/{API_VERSION}/Accounts/{{account}}/Messages.json")
    def list_messages(account: str, request: Request) -> JSONResponse:
        if request.headers.get("authorization") != expected_auth or account != account_sid:
            return _error(401, "Authentication Error - invalid username")
        fault = dice.roll()
        if fault == "rate_limit":
            return _error(
                429, "Too Many Requests", {"Retry-After": str(dice.faults.retry_after_seconds)}
            )
        if fault == "server_error":
            return _error(500, "Internal Server Error")
        params = request.query_params
        try:
            page_size = int(params.get("PageSize", "50"))
            page = int(params.get("Page", "0"))
            sent_from = date.fromisoformat(params["DateSent>"]) if "DateSent>" in params else None
            offset = _offset(params.get("PageToken")) if page else 0
        except (ValueError, binascii.Error):
            return _error(400, "Invalid parameter")
        if not 1 <= page_size <= 1000:
            return _error(400, "PageSize must be between 1 and 1000")
        now = clock()
        matching = store.matching(params.get("To"), sent_from, now)
        messages = matching[offset : offset + page_size]
        base = f"/{API_VERSION}/Accounts/{account_sid}/Messages.json"
        filters = {key: params[key] for key in ("To", "DateSent>") if key in params}

        def page_uri(number: int, token_offset: int | None) -> str:
            query = {**filters, "PageSize": page_size, "Page": number}
            if token_offset is not None:
                query["PageToken"] = "PA" + base64.b16encode(str(token_offset).encode()).decode()
            return f"{base}?{urlencode(query)}"

        has_next = offset + page_size < len(matching)
        body = {
            "messages": messages,
            "page": page,
            "page_size": page_size,
            "uri": page_uri(page, offset if page else None),
            "first_page_uri": page_uri(0, None),
            "next_page_uri": page_uri(page + 1, offset + page_size) if has_next else None,
            "previous_page_uri": page_uri(page - 1, max(0, offset - page_size)) if page else None,
            "start": offset,
            "end": offset + len(messages) - 1 if messages else offset,
        }
        return JSONResponse(body)

    return app


def _offset(token: str | None) -> int:
    if not token or not token.startswith("PA"):
        raise ValueError("bad page token")
    return int(base64.b16decode(token[2:]).decode())


class SmsDay(ApiDay):
    """Renders one day's messages to the short code: complaints, often in bursts of follow-ups
    within minutes, and keyword messages (BAL, HELP...). The short code's own replies are not
    simulated: they are addressed to customers, so a `To=<short code>` listing never shows them."""

    def __init__(
        self,
        world: World,
        day: int,
        folder: Path,
        truth: TruthWriter,
        account_sid: str,
        short_code: str,
    ) -> None:
        super().__init__("sms", world, day, folder, truth)
        self.account_sid = account_sid
        self.short_code = short_code
        self.count = 0

    def add_complaint(self, complaint: Complaint) -> str:
        customer = complaint.customer
        if customer is not None:
            sender, customer_id = customer.msisdn, customer.customer_id  # Twilio reports E.164
            region = self.rng.choice(REGION_ALIASES[customer.region_code])
        else:
            sender = f"+234{self.rng.choice(['805', '909'])}{self.rng.randint(0, 9_999_999):07d}"
            customer_id, region = None, "my area"
        moment = complaint.occurred_at
        first_sid = ""
        for number in range(complaint.burst):
            body = (
                complaint_text(complaint.category, region, self.rng)
                if number == 0
                else follow_up_text(complaint.category, self.rng)
            )
            sid = self._store(sender, self.short_code, body, "inbound", moment)
            first_sid = first_sid or sid
            self.truth.record(
                "sms",
                sid,
                moment,
                origin=self.origin,
                is_complaint=True,
                customer_id=customer_id,
                category=complaint.category,
                complaint_id=complaint.complaint_id,
                incident_id=complaint.incident_id,
            )
            moment = min(moment + timedelta(minutes=self.rng.randint(1, 15)), self.last_moment)
        return first_sid

    def add_noise(self, day_start: datetime, count: int) -> None:
        for _ in range(count):
            moment = day_start + timedelta(seconds=self.rng.randint(0, 86_399))
            sender = f"+234{self.rng.choice(['803', '706'])}{self.rng.randint(0, 9_999_999):07d}"
            sid = self._store(
                sender, self.short_code, self.rng.choice(SMS_KEYWORDS), "inbound", moment
            )
            self.truth.record("sms", sid, moment, origin=self.origin, noise="keyword")

    def _store(self, from_: str, to: str, body: str, direction: str, moment: datetime) -> str:
        self.count += 1
        sid = message_sid(self.world.seed, f"{self.day}:{self.count}")
        record = message_record(
            sid=sid,
            account_sid=self.account_sid,
            from_=from_,
            to=to,
            body=body,
            direction=direction,
            sent_at=moment,
        )
        self.write(record)
        return sid
