"""The API sources' HTTP: X's rate-limit reset is waited for, and a page's JSON is parsed once
and exactly, through dlt's REST client against a real server."""

from __future__ import annotations

import time
from typing import Any

import pytest
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator
from requests.compat import json as complexjson

from extract_load.http import api_pages, retrying_session
from tests.fake_apis import FakeApi


class LimitedApi(FakeApi):
    """Answers its first request with X's 429 (reset `reset_in_s` ahead, no Retry-After), then
    `body` on one page."""

    def __init__(self, body: dict[str, Any], reset_in_s: int = 0) -> None:
        self.body = body
        self.reset_in_s = reset_in_s
        self.answered: list[float] = []
        self.limits_left = 1 if reset_in_s else 0
        super().__init__()

    def answer(self, query: dict[str, str]) -> dict[str, Any]:
        self.answered.append(time.time())
        return self.body

    def status(self) -> tuple[int, dict[str, str]]:
        if self.limits_left:
            self.limits_left -= 1
            return 429, {"x-rate-limit-reset": str(int(time.time()) + self.reset_in_s)}
        return 200, {}


def pages(api: FakeApi) -> list[tuple[str, dict[str, Any]]]:
    client = RESTClient(
        base_url=api.url,
        paginator=JSONResponseCursorPaginator(cursor_path="meta.next_token"),
        session=retrying_session(),
    )
    return list(api_pages(client, "a test API", "/search", {}, "data"))


def test_x_rate_limit_reset_is_waited_for_not_the_first_backoff() -> None:
    api = LimitedApi({"data": [{"id": "1"}], "meta": {}}, reset_in_s=3)
    started = time.time()
    try:
        [(_, body)] = pages(api)
    finally:
        api.close()
    assert body["data"] == [{"id": "1"}]
    # the reset is 2-3 s ahead (whole seconds); the client's own first backoff is 0.5 s
    assert api.answered[0] - started >= 1.5


def test_a_page_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = []
    loads = complexjson.loads  # what requests parses a body with
    monkeypatch.setattr(complexjson, "loads", lambda *a, **k: parsed.append(a) or loads(*a, **k))
    api = LimitedApi({"data": [{"id": "1"}, {"id": "2"}], "meta": {}})
    try:
        [(_, body)] = pages(api)
    finally:
        api.close()
    assert body["data"] == [{"id": "1"}, {"id": "2"}]
    assert len(parsed) == 1  # dlt's selector, its paginator and api_pages read the page


def test_a_lone_surrogate_and_a_big_integer_are_read_exactly() -> None:
    lone = {"data": [{"text": "half \ud83d", "n": 2**70}], "meta": {}}  # \ud83d escaped
    api = LimitedApi(lone)
    try:
        [(_, body)] = pages(api)
    finally:
        api.close()
    assert body == lone
