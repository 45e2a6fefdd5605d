"""The social channel: tweets as X API v2 returns them, and the recent-search endpoint itself.

Tweets are stored one JSON line each (``{"tweet": ..., "user": ...}``) under the scenario's
``api/social`` folder; the API serves what is there, newest first, within the 7-day window of
the scenario clock.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from simulator.api_day import ApiDay
from simulator.serving import FaultDice
from simulator.text import NOISE_TEXTS, complaint_text, noise_text, phone_shape
from simulator.truth import TruthWriter
from simulator.world import REGION_ALIASES, Complaint, World

TWITTER_EPOCH_MS = 1_288_834_974_657
SUPPORT_ACCOUNT = {
    "id": "1500000000000000001",
    "username": "BeejanCare",
    "name": "Beejan Care",
    "location": "Lagos, Nigeria",
}
SEARCH_WINDOW = timedelta(days=7)
NO_PLACE = ["Nigeria", "", "Earth 🌍", "Naija", "God's own country"]  # locations that say nothing
NUMBER_ANSWERS = ["my number is", "here:", "it's", "pls call", "abeg call me on", "line:"]
RATE_LIMIT = 450  # requests per 15-minute window, as X's app-auth limit for recent search


def tweet_id(moment: datetime, sequence: int) -> str:
    """A snowflake: milliseconds since X's epoch, shifted, plus a sequence: grows with time."""
    millis = int(moment.timestamp() * 1000) - TWITTER_EPOCH_MS
    return str((millis << 22) | (sequence & 0x3FFFFF))


def user_id(handle: str) -> str:
    digest = int(hashlib.sha256(handle.encode()).hexdigest()[:12], 16)
    return str(1_000_000_000 + digest % 10**15)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def tweet_record(
    *,
    id_: str,
    text: str,
    author: dict[str, str],
    created_at: datetime,
    lang: str = "en",
    in_reply_to_user_id: str | None = None,
    place_id: str | None = None,
) -> dict[str, object]:
    tweet: dict[str, object] = {
        "id": id_,
        "text": text,
        "edit_history_tweet_ids": [id_],
        "author_id": author["id"],
        "created_at": rfc3339(created_at),
        "lang": lang,
        "conversation_id": id_,
    }
    if in_reply_to_user_id:
        tweet["in_reply_to_user_id"] = in_reply_to_user_id
    if place_id:
        tweet["geo"] = {"place_id": place_id}
    return {"tweet": tweet, "user": author}


class TweetStore:
    """Every stored tweet, sorted by id (so by time), and the users who wrote them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ids: list[int] = []
        self.tweets: list[dict[str, object]] = []
        self.users: dict[str, dict[str, str]] = {}
        self.reload()

    def reload(self) -> None:
        rows = []
        for path in sorted(self.folder.glob("day-*.jsonl")):
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    row = json.loads(line)
                    rows.append(row["tweet"])
                    self.users[row["user"]["id"]] = row["user"]
        rows.sort(key=lambda tweet: int(tweet["id"]))
        self.tweets = rows
        self.ids = [int(tweet["id"]) for tweet in rows]


def _error(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"title": title, "detail": detail, "type": "about:blank", "status": status}
    return JSONResponse(body, status_code=status, headers=headers)


def _token(position: int) -> str:
    return base64.b32encode(f"p{position:012d}".encode()).decode().rstrip("=").lower()


def _position(token: str) -> int:
    padded = token.upper() + "=" * (-len(token) % 8)
    return int(base64.b32decode(padded).decode()[1:])


def create_app(
    store: TweetStore, bearer_token: str, clock: Callable[[], datetime], dice: FaultDice
) -> FastAPI:
    app = FastAPI(title="Simulated X API v2 (recent search)")
    requests_served = {"count": 0}

    def rate_headers(now: datetime) -> dict[str, str]:
        reset = int(now.timestamp()) + 900
        remaining = max(0, RATE_LIMIT - requests_served["count"] % RATE_LIMIT)
        return {
            "x-rate-limit-limit": str(RATE_LIMIT),
            "x-rate-limit-remaining": str(remaining),
            "x-rate-limit-reset": str(reset),
        }

    @app.get("/2/tweets/search/recent")
    def search_recent(request: Request) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {bearer_token}":
            return _error(401, "Unauthorized", "Unauthorized")
        fault = dice.roll()
        wall_now = datetime.now(UTC)
        if fault == "rate_limit":
            headers = rate_headers(wall_now)
            headers["x-rate-limit-remaining"] = "0"
            headers["x-rate-limit-reset"] = str(
                int(wall_now.timestamp()) + dice.faults.retry_after_seconds
            )
            return _error(429, "Too Many Requests", "Too Many Requests", headers)
        if fault == "server_error":
            return _error(503, "Service Unavailable", "Service Unavailable")
        requests_served["count"] += 1
        params = request.query_params
        if not params.get("query"):
            return _error(400, "Invalid Request", "The `query` query parameter can not be empty")
        try:
            max_results = int(params.get("max_results", "10"))
        except ValueError:
            max_results = -1
        if not 10 <= max_results <= 100:
            return _error(400, "Invalid Request", "`max_results` must be between 10 and 100")
        now = clock()
        window_start = now - SEARCH_WINDOW
        start_time = _parse_time(params.get("start_time")) or window_start
        if start_time < window_start:
            return _error(400, "Invalid Request", "`start_time` must be within the last 7 days")
        end_time = _parse_time(params.get("end_time")) or now
        lowest = bisect.bisect_left(store.ids, int(tweet_id(start_time, 0)))
        highest = bisect.bisect_right(store.ids, int(tweet_id(end_time, 0x3FFFFF)))
        if since_id := params.get("since_id"):
            lowest = max(lowest, bisect.bisect_right(store.ids, int(since_id)))
        # Newest first: position counts from the newest matching tweet.
        position = _position(token) if (token := params.get("next_token")) else 0
        top = highest - position
        page = store.tweets[max(lowest, top - max_results) : top][::-1]
        body: dict[str, object] = {"meta": {"result_count": len(page)}}
        if page:
            fields = set(params.get("tweet.fields", "").split(","))
            body["data"] = [_select_fields(tweet, fields) for tweet in page]
            author_ids = dict.fromkeys(str(tweet["author_id"]) for tweet in page)
            if "author_id" in params.get("expansions", ""):
                user_fields = set(params.get("user.fields", "").split(","))
                body["includes"] = {
                    "users": [
                        _select_fields(store.users[uid], user_fields | {"name", "username"})
                        for uid in author_ids
                    ]
                }
            body["meta"] = {
                "result_count": len(page),
                "newest_id": page[0]["id"],
                "oldest_id": page[-1]["id"],
            }
            if top - max_results > lowest:
                body["meta"]["next_token"] = _token(position + len(page))
        return JSONResponse(body, headers=rate_headers(wall_now))

    return app


def _select_fields(record: dict[str, object], fields: set[str]) -> dict[str, object]:
    always = {"id", "text", "edit_history_tweet_ids"}
    return {key: value for key, value in record.items() if key in always or key in fields}


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


class SocialDay(ApiDay):
    """Renders one day's tweets: complaints (a minority) among praise, jokes, spam, retweets and
    Beejan's own replies; stores them for the API and states their truth."""

    def __init__(self, world: World, day: int, folder: Path, truth: TruthWriter) -> None:
        super().__init__("social", world, day, folder, truth)
        self.sequence = 0

    def add_complaint(self, complaint: Complaint) -> str:
        customer = complaint.customer
        if customer is not None and customer.twitter_handle:
            author = {
                "id": user_id(customer.twitter_handle),
                "username": customer.twitter_handle,
                "name": customer.full_name,
                "location": self.rng.choice(REGION_ALIASES[customer.region_code]),
            }
            customer_id: int | None = customer.customer_id
        else:  # a handle the CRM does not know; many people say where they are, some do not
            # a stranger's handle is new every time; a customer's is theirs, whatever the CRM knows
            number = customer.customer_id if customer else self.rng.randint(10_000, 99_999)
            handle = f"user{number}"
            if customer is not None and self.rng.random() < 0.6:
                location = self.rng.choice(REGION_ALIASES[customer.region_code])
            else:
                location = self.rng.choice(NO_PLACE)
            author = {
                "id": user_id(handle),
                "username": handle,
                "name": handle.title(),
                "location": location,
            }
            customer_id = customer.customer_id if customer else None
        region = self.rng.choice(REGION_ALIASES[customer.region_code]) if customer else "my area"
        pii = customer.msisdn if customer and self.rng.random() < 0.5 else None
        words = complaint_text(complaint.category, region, self.rng, pii=pii)
        text = f"@BeejanCare {words}" if self.rng.random() < 0.8 else f"{words} @BeejanCare"
        id_ = self._store(text, author, complaint.occurred_at)
        self.truth.record(
            "social",
            id_,
            complaint.occurred_at,
            origin=self.origin,
            is_complaint=True,
            customer_id=customer_id,
            category=complaint.category,
            complaint_id=complaint.complaint_id,
            incident_id=complaint.incident_id,
        )
        # Beejan's support account answers some; nearly every author it cannot identify, to
        # ask for a number
        known = customer is not None and customer.twitter_handle is not None
        if self.rng.random() < (0.3 if known else 0.8):
            reply_at = min(
                complaint.occurred_at + timedelta(minutes=self.rng.randint(2, 90)), self.last_moment
            )
            reply = f"@{author['username']} Sorry about this, please DM us your number 🙏"
            reply_id = self._store(reply, SUPPORT_ACCOUNT, reply_at, in_reply_to=author["id"])
            self.truth.record("social", reply_id, reply_at, origin=self.origin, noise="own_reply")
            if customer is not None and not known and self.rng.random() < 0.5:
                # many answer in public rather than by DM: their number, for all to see
                answer_at = min(
                    reply_at + timedelta(minutes=self.rng.randint(1, 30)), self.last_moment
                )
                phone = phone_shape(customer.msisdn, self.rng)
                answer = f"@BeejanCare {self.rng.choice(NUMBER_ANSWERS)} {phone}"
                answer_id = self._store(
                    answer, author, answer_at, in_reply_to=SUPPORT_ACCOUNT["id"]
                )
                self.truth.record(
                    "social",
                    answer_id,
                    answer_at,
                    origin=self.origin,
                    is_complaint=True,
                    customer_id=customer.customer_id,
                    category=complaint.category,
                    complaint_id=complaint.complaint_id,
                    incident_id=complaint.incident_id,
                )
        if self.rng.random() < 0.2:  # someone retweets it
            moment = min(
                complaint.occurred_at + timedelta(minutes=self.rng.randint(1, 60)), self.last_moment
            )
            handle = f"fan{self.rng.randint(100, 999)}"
            fan = {"id": user_id(handle), "username": handle, "name": handle, "location": "Lagos"}
            retweet_id = self._store(f"RT @{author['username']}: {text}"[:280], fan, moment)
            self.truth.record("social", retweet_id, moment, origin=self.origin, noise="retweet")
        return id_

    def add_noise(self, day_start: datetime, count: int) -> None:
        for _ in range(count):
            kind = self.rng.choice(sorted(NOISE_TEXTS))
            handle = f"{kind}{self.rng.randint(100, 999)}"
            author = {
                "id": user_id(handle),
                "username": handle,
                "name": handle,
                "location": "Abuja",
            }
            moment = day_start + timedelta(seconds=self.rng.randint(0, 86_399))
            id_ = self._store(noise_text(kind, self.rng), author, moment)
            self.truth.record("social", id_, moment, origin=self.origin, noise=kind)

    def _store(
        self, text: str, author: dict[str, str], moment: datetime, in_reply_to: str | None = None
    ) -> str:
        self.sequence += 1
        id_ = tweet_id(moment, self.sequence)
        lang = "pcm" if any(word in text for word in ("una", "abeg", "dey", "wetin")) else "en"
        record = tweet_record(
            id_=id_,
            text=text,
            author=author,
            created_at=moment,
            lang=lang,
            in_reply_to_user_id=in_reply_to,
        )
        self.write(record)
        return id_
