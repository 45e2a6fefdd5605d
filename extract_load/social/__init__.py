"""Social media: X API v2 recent search for mentions of Beejan, incremental on `since_id`.

Tweets land in `raw_social.tweets`, their authors (from `includes.users`) joined onto each row.
Ids stay text: they are up to 19 digits and must never pass through a 32-bit integer.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import dlt
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator
from requests import RequestException

from extract_load.http import retrying_session, source_error
from extract_load.quarantine import Quarantine, as_json

SEARCH_PATH = "/2/tweets/search/recent"
TWEET_FIELDS = "created_at,author_id,lang,conversation_id,in_reply_to_user_id,geo"
USER_FIELDS = "username,name,location"
TEXT_IDS = {"id", "author_id", "conversation_id", "in_reply_to_user_id"}


def newest_tweet_id(ids: tuple[str, ...]) -> str:
    """The last-value function of the `since_id` cursor: ids compare as numbers, not strings."""
    return max(ids, key=int)


@dlt.source(name="social")
def social_source(
    base_url: str,
    bearer_token: str,
    query: str,
    quarantine: Quarantine,
    start_time: datetime | None = None,
    end_time: datetime | None = None,
) -> dlt.sources.DltResource:
    client = RESTClient(
        base_url=base_url,
        auth=BearerTokenAuth(bearer_token),
        paginator=JSONResponseCursorPaginator(
            cursor_path="meta.next_token", cursor_param="next_token"
        ),
        session=retrying_session(),
    )

    @dlt.resource(
        name="tweets",
        primary_key="id",
        write_disposition="merge",
        columns={name: {"data_type": "text"} for name in TEXT_IDS}
        | {"created_at": {"data_type": "timestamp"}},
    )
    def tweets(
        since: dlt.sources.incremental[str] = dlt.sources.incremental(
            "id", last_value_func=newest_tweet_id
        ),
    ) -> Iterator[dict]:
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
        elif since.last_value:
            params["since_id"] = since.last_value
        try:
            for page in client.paginate(SEARCH_PATH, params=params, data_selector="data"):
                body = page.response.json()
                users = {user["id"]: user for user in body.get("includes", {}).get("users", [])}
                yield from _with_authors(page, users, quarantine, page.request.url)
        except RequestException as error:
            raise source_error("the social API", base_url, error) from error

    return tweets


def _with_authors(tweets, users, quarantine: Quarantine, origin: str) -> Iterator[dict]:
    for tweet in tweets:
        if not str(tweet.get("id", "")).isdigit() or not tweet.get("created_at"):
            quarantine.add("tweet without a numeric id or created_at", as_json(tweet), origin)
            continue
        author = users.get(tweet.get("author_id"), {})
        yield {
            **tweet,
            "author_username": author.get("username"),
            "author_name": author.get("name"),
            "author_location": author.get("location"),
        }
