"""The simulated X API v2 recent search, seen by a real HTTP client, against the contract."""

from __future__ import annotations

from datetime import timedelta

import requests

from simulator.fixtures import ScenarioFactory
from simulator.live import LiveScenario
from simulator.serving import Faults
from simulator.social import rfc3339

PARAMS = {
    "query": "@BeejanCare OR #BeejanDown",
    "max_results": "100",
    "tweet.fields": "created_at,author_id,lang,conversation_id,in_reply_to_user_id,geo",
    "expansions": "author_id",
    "user.fields": "username,name,location",
}


def search(live: LiveScenario, token: str | None = None, **params: str) -> requests.Response:
    token = token or live.scenario.config.social_bearer_token
    return requests.get(
        f"{live.social_api.base_url}/2/tweets/search/recent",
        params={**PARAMS, **params},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def all_pages(live: LiveScenario, **params: str) -> list[dict]:
    tweets, token = [], None
    while True:
        page = search(live, **params, **({"next_token": token} if token else {})).json()
        tweets += page.get("data", [])
        token = page["meta"].get("next_token")
        if not token:
            return tweets


def test_missing_or_wrong_token_gets_401(scenario: LiveScenario) -> None:
    assert search(scenario, token="wrong").status_code == 401
    bare = requests.get(f"{scenario.social_api.base_url}/2/tweets/search/recent", params=PARAMS)
    assert bare.status_code == 401


def test_every_page_validates_against_the_x_openapi_spec(
    scenario: LiveScenario, valid_x_answer
) -> None:
    response = search(scenario, max_results="10")
    valid_x_answer(response)
    body = response.json()
    assert body["meta"]["result_count"] == len(body["data"]) == 10
    assert {user["id"] for user in body["includes"]["users"]} == {
        t["author_id"] for t in body["data"]
    }
    valid_x_answer(search(scenario, max_results="10", next_token=body["meta"]["next_token"]))


def test_pages_are_newest_first_and_cover_every_tweet_once(scenario: LiveScenario) -> None:
    tweets = all_pages(scenario, max_results="10")
    truth = [key for channel, key in scenario.scenario.truth() if channel == "social"]
    assert sorted(t["id"] for t in tweets) == sorted(truth)
    ids = [int(t["id"]) for t in tweets]
    assert ids == sorted(ids, reverse=True)
    assert all(isinstance(t["id"], str) and len(t["id"]) <= 19 for t in tweets)
    assert max(ids) > 2**31  # ids do not fit a 32-bit integer


def test_since_id_returns_only_newer_tweets(scenario: LiveScenario) -> None:
    first = all_pages(scenario)
    newest = first[0]["id"]
    assert search(scenario, since_id=newest).json() == {"meta": {"result_count": 0}}
    scenario.advance(1)
    newer = all_pages(scenario, since_id=newest)
    assert newer and all(int(t["id"]) > int(newest) for t in newer)
    assert len(all_pages(scenario)) == len(first) + len(newer)


def test_search_only_covers_the_last_seven_days(make_scenario: ScenarioFactory) -> None:
    live = make_scenario(days=9, scale=5, with_crm=False)
    window_start = live.scenario.now() - timedelta(days=7)
    tweets = all_pages(live)
    truth = [r for (channel, _), r in live.scenario.truth().items() if channel == "social"]
    assert len(tweets) == sum(1 for r in truth if r.occurred_at >= window_start)
    assert len(tweets) < len(truth)
    too_old = rfc3339(window_start - timedelta(hours=1))
    assert search(live, start_time=too_old).status_code == 400


def test_max_results_outside_10_to_100_is_refused(scenario: LiveScenario) -> None:
    assert search(scenario, max_results="5").status_code == 400
    assert search(scenario, max_results="101").status_code == 400


def test_rate_limit_answers_429_with_the_reset_headers(make_scenario: ScenarioFactory) -> None:
    live = make_scenario(faults=Faults(rate_limit=1.0), with_crm=False)
    response = search(live)
    assert response.status_code == 429
    assert response.headers["x-rate-limit-remaining"] == "0"
    assert int(response.headers["x-rate-limit-reset"]) > 0
    assert "x-rate-limit-limit" in response.headers


def test_server_errors_answer_503(make_scenario: ScenarioFactory) -> None:
    live = make_scenario(faults=Faults(server_error=1.0), with_crm=False)
    assert search(live).status_code == 503


def test_faults_come_at_the_configured_rate(make_scenario: ScenarioFactory) -> None:
    live = make_scenario(faults=Faults(rate_limit=0.3, server_error=0.2), with_crm=False)
    statuses = [search(live).status_code for _ in range(200)]
    assert 40 <= statuses.count(429) <= 80
    assert 20 <= statuses.count(503) <= 60
    assert statuses.count(200) == 200 - statuses.count(429) - statuses.count(503)


def test_every_answer_of_a_busy_scenario_validates_against_the_spec(
    make_scenario: ScenarioFactory, valid_x_answer
) -> None:
    """Every page, every tweet and every user of three days, patterns and formats included."""
    live = make_scenario(days=3, scale=160, with_crm=False)
    token, pages = None, 0
    while True:
        response = search(live, **({"next_token": token} if token else {}))
        valid_x_answer(response)
        pages += 1
        token = response.json()["meta"].get("next_token")
        if not token:
            break
    assert pages > 3
