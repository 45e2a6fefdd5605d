"""The simulated Twilio List Messages endpoint, seen by a real HTTP client, against the contract."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import requests

from simulator.fixtures import ScenarioFactory
from simulator.live import LiveScenario
from simulator.serving import Faults


def list_messages(
    live: LiveScenario, url: str | None = None, password: str | None = None, **params: str
) -> requests.Response:
    config = live.scenario.config
    path = f"/2010-04-01/Accounts/{config.sms_account_sid}/Messages.json"
    query = None if url else {"To": config.sms_short_code, **params}
    return requests.get(
        live.sms_api.base_url + (url or path),
        params=query,
        auth=(config.sms_account_sid, password or config.sms_auth_token),
        timeout=10,
    )


def all_pages(live: LiveScenario, **params: str) -> list[dict]:
    messages, page = [], list_messages(live, **params).json()
    while True:
        messages += page["messages"]
        if page["next_page_uri"] is None:
            return messages
        page = list_messages(live, url=page["next_page_uri"]).json()


def test_wrong_credentials_get_401(scenario: LiveScenario) -> None:
    assert list_messages(scenario, password="wrong").status_code == 401


def test_pages_validate_against_the_twilio_openapi_spec(
    scenario: LiveScenario, valid_twilio_answer
) -> None:
    first = list_messages(scenario, PageSize="5")
    valid_twilio_answer(first)
    second = list_messages(scenario, url=first.json()["next_page_uri"])
    valid_twilio_answer(second)
    assert second.json()["page"] == 1


def test_paging_returns_every_message_once_newest_first(scenario: LiveScenario) -> None:
    messages = all_pages(scenario, PageSize="7")
    truth = [key for channel, key in scenario.scenario.truth() if channel == "sms"]
    assert sorted(m["sid"] for m in messages) == sorted(truth)
    sent = [parsedate_to_datetime(m["date_sent"]) for m in messages]
    assert sent == sorted(sent, reverse=True)
    assert all(m["num_segments"].isdigit() and m["num_media"] == "0" for m in messages)


def test_date_sent_filter_has_day_granularity_so_pulls_overlap(scenario: LiveScenario) -> None:
    before = {m["sid"] for m in all_pages(scenario)}
    last_day = max(parsedate_to_datetime(m["date_sent"]) for m in all_pages(scenario)).date()
    scenario.advance(1)
    since = all_pages(scenario, **{"DateSent>": last_day.isoformat()})
    assert {m["sid"] for m in since} & before  # the last day comes back again
    assert all(parsedate_to_datetime(m["date_sent"]).date() >= last_day for m in since)
    assert {m["sid"] for m in since} - before  # and the new day is there


def test_rate_limit_answers_429_with_retry_after(make_scenario: ScenarioFactory) -> None:
    live = make_scenario(faults=Faults(rate_limit=1.0), with_crm=False)
    response = list_messages(live)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1


def test_server_errors_answer_500(make_scenario: ScenarioFactory) -> None:
    live = make_scenario(faults=Faults(server_error=1.0), with_crm=False)
    assert list_messages(live).status_code == 500


def test_slow_pages_are_slow(make_scenario: ScenarioFactory) -> None:
    live = make_scenario(faults=Faults(slow=1.0, slow_seconds=0.5), with_crm=False)
    response = list_messages(live)
    assert response.status_code == 200
    assert response.elapsed.total_seconds() >= 0.5


def test_every_answer_of_a_busy_scenario_validates_against_the_spec(
    make_scenario: ScenarioFactory, valid_twilio_answer
) -> None:
    live = make_scenario(days=3, scale=80, with_crm=False)
    response, pages = list_messages(live, PageSize="50"), 0
    while True:
        valid_twilio_answer(response)
        pages += 1
        next_page = response.json()["next_page_uri"]
        if next_page is None:
            break
        response = list_messages(live, url=next_page)
    assert pages > 3
