"""The same seed gives byte-identical files and identical API answers."""

from __future__ import annotations

from pathlib import Path

import requests

from simulator.fixtures import ScenarioFactory
from simulator.live import LiveScenario


def landing_bytes(live: LiveScenario) -> dict[str, bytes]:
    root = live.scenario.landing
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def api_answers(live: LiveScenario) -> tuple[object, object]:
    config = live.scenario.config
    tweets = requests.get(
        f"{live.social_api.base_url}/2/tweets/search/recent",
        params={
            "query": "@BeejanCare",
            "max_results": "100",
            "tweet.fields": "created_at,author_id",
        },
        headers={"Authorization": f"Bearer {config.social_bearer_token}"},
        timeout=10,
    ).json()
    messages = requests.get(
        f"{live.sms_api.base_url}/2010-04-01/Accounts/{config.sms_account_sid}/Messages.json",
        params={"To": config.sms_short_code, "PageSize": "1000"},
        auth=(config.sms_account_sid, config.sms_auth_token),
        timeout=10,
    ).json()
    return tweets, messages["messages"]


def test_same_seed_same_bytes_and_answers(make_scenario: ScenarioFactory) -> None:
    first, second = make_scenario(days=2, seed=11), make_scenario(days=2, seed=11)
    assert landing_bytes(first) == landing_bytes(second)
    assert api_answers(first) == api_answers(second)
    truth_files = [Path(live.scenario.root / "truth") for live in (first, second)]
    assert [p.read_bytes() for p in sorted(truth_files[0].iterdir())] == [
        p.read_bytes() for p in sorted(truth_files[1].iterdir())
    ]


def test_another_seed_gives_another_world(make_scenario: ScenarioFactory) -> None:
    assert landing_bytes(make_scenario(seed=1, with_crm=False)) != landing_bytes(
        make_scenario(seed=2, with_crm=False)
    )
