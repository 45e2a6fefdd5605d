"""Social media: X API v2 recent search for mentions of Beejan, incremental on `since_id`.

Tweets land in `raw_social.tweets`, their authors (from `includes.users`) joined onto each row.
Ids stay text: they are up to 19 digits and must never pass through a 32-bit integer.

The cursor (the newest tweet id landed) is kept in the resource's dlt state rather than by
`dlt.sources.incremental`, because the same resource also yields the quarantined tweets, which
have no id to filter on; the state is committed in the same load package as the tweets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import Any

import dlt
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

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

SOURCE = "social"
SEARCH_PATH = "/2/tweets/search/recent"
TWEET_FIELDS = "created_at,author_id,lang,conversation_id,in_reply_to_user_id,geo"
USER_FIELDS = "username,name,location"
TEXT_IDS = ("id", "author_id", "conversation_id", "in_reply_to_user_id")
TWEET_ID = re.compile(r"^[0-9]{1,19}$")
RESOURCE = {  # the dlt hints of the raw table, for loads and for replays of quarantined tweets
    "name": "tweets",
    "primary_key": "id",
    "write_disposition": "merge",
    "file_format": FILE_FORMAT,
    "columns": {name: {"data_type": "text"} for name in TEXT_IDS}
    | {"created_at": {"data_type": "timestamp"}, "edit_history_tweet_ids": {"data_type": "json"}},
}
bulk_item = partial(inferred_table, declared=RESOURCE["columns"])  # rows as its load yields them


def check_tweet(tweet: dict[str, Any]) -> datetime:
    """When the tweet was created; UnusableRecord when it breaks the contract."""
    if not isinstance(tweet, dict):
        raise UnusableRecord(Reason.INVALID_VALUE, "not a JSON object")
    if not TWEET_ID.match(str(tweet.get("id", ""))):
        raise UnusableRecord(Reason.INVALID_VALUE, f"id {str(tweet.get('id'))[:40]!r}")
    if not isinstance(tweet.get("text"), str):
        raise UnusableRecord(Reason.MISSING_FIELD, "no text")
    created = str(tweet.get("created_at") or "")
    if not created:
        raise UnusableRecord(Reason.MISSING_FIELD, "no created_at")
    try:
        moment = datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError as error:
        raise UnusableRecord(Reason.BAD_TIMESTAMP, f"created_at {created[:40]!r}") from error
    if moment.utcoffset() is None:
        raise UnusableRecord(Reason.BAD_TIMESTAMP, f"created_at {created[:40]!r} has no zone")
    check_storable(tweet)
    return moment


def tweet_row(tweet: dict[str, Any], created: datetime, author: dict[str, Any]) -> dict[str, Any]:
    """The raw row of a checked tweet: the tweet, the instant it was created, and its author's
    handle, name and place."""
    return {
        **tweet,
        "created_at": created,
        "author_username": author.get("username"),
        "author_name": author.get("name"),
        "author_location": author.get("location"),
    }


def replay_row(
    payload: bytes, origin: str, known: dict[str, KnownFile], max_bytes: int
) -> dict[str, Any]:
    """A corrected quarantined tweet (its JSON), checked as one from the API. Its author came
    beside it in the page's `includes`, not in the tweet: it lands without the author."""
    tweet = from_json(payload)
    return tweet_row(tweet, check_tweet(tweet), {})


@dlt.source(name=SOURCE)
def social_source(
    base_url: str,
    bearer_token: str,
    query: str,
    start_time: datetime | None = None,
    end_time: datetime | None = None,
    resume: bool = True,
) -> dlt.sources.DltResource:
    client = RESTClient(
        base_url=base_url,
        auth=BearerTokenAuth(bearer_token),
        paginator=JSONResponseCursorPaginator(
            cursor_path="meta.next_token", cursor_param="next_token"
        ),
        session=retrying_session(),
    )

    def pages() -> Iterator[Any]:
        state = dlt.current.resource_state()
        params = {
            "query": query,
            "max_results": 100,
            "tweet.fields": TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": USER_FIELDS,
        }
        if start_time or end_time:  # a backfill: a time range instead of the cursor
            params |= {
                key: value.isoformat()
                for key, value in (("start_time", start_time), ("end_time", end_time))
                if value
            }
        elif resume and state.get("newest_id"):
            params["since_id"] = state["newest_id"]
        newest = state.get("newest_id") if resume else None
        for url, body in api_pages(client, "the social API", SEARCH_PATH, params, "data"):
            includes = body.get("includes") if isinstance(body.get("includes"), dict) else {}
            users = {
                user.get("id"): user
                for user in includes.get("users") or []
                if isinstance(user, dict)
            }
            rows = []
            for tweet in body.get("data") or []:
                try:
                    created = check_tweet(tweet)
                except UnusableRecord as error:
                    yield quarantined(SOURCE, error.reason, as_json(tweet), url, error.detail)
                    continue
                rows.append(tweet_row(tweet, created, users.get(tweet.get("author_id"), {})))
                if newest is None or int(tweet["id"]) > int(newest):
                    newest = tweet["id"]
            yield rows
        if newest and not (start_time or end_time):
            state["newest_id"] = newest

    @dlt.resource(**RESOURCE)
    def tweets() -> Iterator[Any]:
        yield from batched(pages(), bulk_item)

    return tweets
