"""The read API, started with `beejan api serve` on the simulated month and asked over real HTTP:
answers match its OpenAPI document, keys and the rate limit hold, bad parameters get a clear
4xx, nothing reaches past the marts, and pages walk a large result exactly once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from beejan.core.roles import login_as
from tests.conftest import BEEJAN, Month
from tests.dbt.steps import MARTS
from tests.serving.conftest import beejan, free_port, serving

pytestmark = pytest.mark.slow

RATE = 600  # requests per minute and key
MAX_PAGE = 200
ENDPOINTS = {
    "/v1/complaint-counts": {"grain": "week", "channel": "sms"},
    "/v1/complaints": {"priority": "P1"},
    "/v1/outage-signals": {"explained": "false"},
    "/v1/churn-risk": {"band": "high"},
    "/v1/pipeline-runs": {"status": "failed"},
}
INJECTIONS = (
    "' or '1'='1",
    "x'; drop table ci_marts.fct_complaints; --",
    "1) union select * from raw_sms.messages --",
    "raw_sms.messages",
    "ci_staging.stg_sms__messages",
    '"; select pg_sleep(5); --',
)


@dataclass
class Api:
    base: str
    keys: dict[str, str]  # client name -> key
    env: dict[str, str]
    log_file: Path

    def get(self, path: str, client: str | None = "tests", **params: object) -> requests.Response:
        headers = {"X-API-Key": self.keys[client]} if client else {}
        return requests.get(f"{self.base}{path}", params=params, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def api(served_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    folder = tmp_path_factory.mktemp("api")
    env = served_env | {
        "BEEJAN_API_KEYS_FILE": str(folder / "keys.json"),
        "BEEJAN_API_RATE_LIMIT": f"{RATE}/minute",
        "BEEJAN_API_MAX_PAGE_SIZE": str(MAX_PAGE),
        "BEEJAN_LOG_FILE": str(folder / "beejan.jsonl"),
    }
    keys = {}
    for client in ("tests", "walker", "burst", "revoked"):
        issued = beejan(env, "api", "keys", "issue", client)
        assert issued.returncode == 0, issued.stderr
        keys[client] = issued.stdout.strip()
    base = f"http://127.0.0.1:{free_port()}"
    port = base.rsplit(":", 1)[1]
    with serving([BEEJAN, "api", "serve", "--port", port], env, f"{base}/openapi.json"):
        yield Api(base, keys, env, folder / "beejan.jsonl")


@pytest.fixture(scope="module")
def openapi(api: Api) -> OpenAPI:
    return OpenAPI.from_dict(requests.get(f"{api.base}/openapi.json", timeout=30).json())


def walk(api: Api, path: str, client: str = "walker", **params: object) -> list[dict]:
    """Every row of `path`, page after page."""
    rows: list[dict] = []
    cursor = None
    while True:
        answer = api.get(path, client, **params, **({"cursor": cursor} if cursor else {}))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        rows += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return rows


def marts(month: Month, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(month.warehouse.dsn()) as conn:
        return conn.execute(query.format(marts=MARTS), params).fetchall()


def test_every_answer_matches_the_openapi_document(api: Api, openapi: OpenAPI) -> None:
    for path, params in ENDPOINTS.items():
        for answer in (
            api.get(path, limit=5),
            api.get(path, **params),
            api.get(path, None),  # 401
            api.get(path, limit=MAX_PAGE + 1),  # 422
        ):
            openapi.validate_response(
                RequestsOpenAPIRequest(answer.request), RequestsOpenAPIResponse(answer)
            )
        assert api.get(path, limit=5).json()["items"], f"{path} served nothing"


def test_a_missing_or_wrong_key_is_401(api: Api) -> None:
    for path in ENDPOINTS:
        for headers in (
            {},
            {"X-API-Key": "bjk_not-a-key"},
            {"X-API-Key": ""},
            {"Authorization": f"Bearer {api.keys['tests']}"},
        ):
            answer = requests.get(f"{api.base}{path}", headers=headers, timeout=30)
            assert answer.status_code == 401, (path, headers)
            assert answer.json() == {"detail": "missing or unknown API key (header X-API-Key)"}


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/v1/complaints", {"date_from": "2026-02-30"}, "valid date"),
        ("/v1/complaints", {"date_to": "yesterday"}, "valid date"),
        ("/v1/complaints", {"date_from": "2026-12-01", "date_to": "2026-11-01"}, "after"),
        ("/v1/complaints", {"channel": "fax"}, "unknown channel; one of: call_center"),
        ("/v1/complaint-counts", {"region": "ATLANTIS"}, "unknown region"),
        ("/v1/complaint-counts", {"grain": "hour"}, "'day', 'week'"),
        ("/v1/complaints", {"limit": MAX_PAGE + 1}, f"at most {MAX_PAGE} rows per page"),
        ("/v1/complaints", {"limit": 0}, "greater than or equal to 1"),
        ("/v1/complaints", {"limit": "ten"}, "valid integer"),
        ("/v1/complaints", {"cursor": "not-a-cursor"}, "not a cursor this API gave out"),
        ("/v1/complaints", {"cursor": "WyJ4IiwieSJd"}, "not a cursor this API gave out"),
        ("/v1/outage-signals", {"explained": "maybe"}, "valid boolean"),
        ("/v1/churn-risk", {"band": "extreme"}, "'churned', 'high'"),
        ("/v1/pipeline-runs", {"status": "exploded"}, "'running', 'completed'"),
        ("/v1/complaints", {"table": "raw_sms.messages"}, "Extra inputs are not permitted"),
    ],
)
def test_bad_parameters_get_a_clear_422(api: Api, path: str, params: dict, message: str) -> None:
    answer = api.get(path, **params)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/json"
    [error] = answer.json()["detail"]
    assert message in error["msg"], error


def test_injection_strings_are_refused_and_reach_nothing(api: Api, served: Month) -> None:
    before = marts(served, "select count(*) from {marts}.fct_complaints")
    text_parameters = {
        "/v1/complaint-counts": ("grain", "channel", "category", "region", "date_from", "cursor"),
        "/v1/complaints": ("channel", "category", "region", "priority", "date_to", "cursor"),
        "/v1/outage-signals": ("region", "category", "explained"),
        "/v1/churn-risk": ("band", "region"),
        "/v1/pipeline-runs": ("status", "date_from"),
    }
    answers = {
        (path, parameter, value): api.get(path, **{parameter: value})
        for path, parameters in text_parameters.items()
        for parameter in parameters
        for value in INJECTIONS
    }
    assert {key: a.status_code for key, a in answers.items() if a.status_code != 422} == {}
    assert all("Traceback" not in a.text and "psycopg" not in a.text for a in answers.values())
    assert marts(served, "select count(*) from {marts}.fct_complaints") == before


def test_the_api_reads_as_the_reporter_which_cannot_reach_raw_or_staging(
    api: Api, served: Month
) -> None:
    assert api.get("/v1/complaints", limit=1).status_code == 200
    users = marts(
        served,
        "select distinct usename from pg_stat_activity where datname = current_database()"
        " and backend_type = 'client backend' and pid <> pg_backend_pid()",
    )
    assert ("reporter",) in users
    reporter = login_as("reporter", served.warehouse, served.settings)
    with psycopg.connect(reporter.dsn(), autocommit=True) as conn:
        for relation in ("raw_sms.messages", "ci_staging.stg_sms__messages"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"select 1 from {relation} limit 1")


def test_pages_walk_a_large_result_without_gaps_or_repeats(api: Api, served: Month) -> None:
    complaints = walk(api, "/v1/complaints", limit=MAX_PAGE)
    keys = [row["complaint_key"] for row in complaints]
    expected = marts(served, "select complaint_key from {marts}.fct_complaints")
    assert len(expected) > 10 * MAX_PAGE
    assert len(keys) == len(set(keys)) == len(expected)
    assert set(keys) == {key for (key,) in expected}

    sms_days = walk(api, "/v1/complaint-counts", grain="day", channel="sms", limit=97)
    assert sorted(row["period_key"] for row in sms_days) == sorted(
        key
        for (key,) in marts(
            served,
            "select period_key from {marts}.agg_complaints__periods"
            " where period_grain = 'day' and channel = 'sms'",
        )
    )
    monthly = walk(api, "/v1/complaint-counts", grain="month", limit=MAX_PAGE)
    assert sum(row["complaints"] for row in monthly) == len(expected)

    riskiest = walk(api, "/v1/churn-risk", limit=MAX_PAGE)
    assert [row["customer_id"] for row in riskiest] == [
        customer
        for (customer,) in marts(
            served,
            "select customer_id from {marts}.fct_customer_churn_risk"
            " order by churn_risk_score desc, customer_id",
        )
    ]


def test_date_filters_take_whole_days(api: Api, served: Month) -> None:
    [(first, last)] = marts(
        served,
        "select min(first_contact_date), max(first_contact_date) from {marts}.fct_complaints",
    )
    middle = first + timedelta(days=(last - first).days // 2)
    rows = walk(
        api,
        "/v1/complaints",
        date_from=middle.isoformat(),
        date_to=middle.isoformat(),
        limit=MAX_PAGE,
    )
    [(count,)] = marts(
        served,
        "select count(*) from {marts}.fct_complaints where first_contact_date = %s",
        (middle,),
    )
    assert len(rows) == count > 0


def test_the_rate_limit_is_per_key_and_says_when_to_come_back(api: Api) -> None:
    statuses = [api.get("/v1/pipeline-runs", "burst", limit=1).status_code for _ in range(RATE)]
    assert statuses == [200] * RATE
    refused = api.get("/v1/pipeline-runs", "burst", limit=1)
    assert refused.status_code == 429
    assert refused.json() == {"detail": f"rate limit {RATE}/minute reached"}
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert api.get("/v1/pipeline-runs", "tests", limit=1).status_code == 200


def test_keys_are_kept_as_hashes_and_a_revoked_key_is_refused_at_once(api: Api) -> None:
    stored = Path(api.env["BEEJAN_API_KEYS_FILE"]).read_text()
    for key in api.keys.values():
        assert key not in stored
        assert hashlib.sha256(key.encode()).hexdigest() in stored
    listed = beejan(api.env, "api", "keys", "list")
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == sorted(api.keys)

    assert api.get("/v1/pipeline-runs", "revoked").status_code == 200
    assert beejan(api.env, "api", "keys", "revoke", "revoked").returncode == 0
    assert api.get("/v1/pipeline-runs", "revoked").status_code == 401
    again = beejan(api.env, "api", "keys", "issue", "tests")
    assert again.returncode == 1
    assert again.stderr.strip() == "error: a key named 'tests' exists; revoke it first"


def test_each_request_leaves_one_structured_access_log_line(api: Api) -> None:
    api.get("/v1/outage-signals", limit=3, explained="true")
    api.get("/v1/outage-signals", None)
    text = api.log_file.read_text()
    lines = [json.loads(line) for line in text.splitlines()]
    access = [line for line in lines if line["logger"] == "beejan.api.access"]
    ok = [line for line in access if line["query"] == "limit=3&explained=true"][-1]
    assert (ok["client"], ok["method"], ok["path"], ok["status"]) == (
        "tests",
        "GET",
        "/v1/outage-signals",
        200,
    )
    assert ok["duration_ms"] >= 0
    assert [line for line in access if line["status"] == 401 and line["client"] is None]
    assert all(key not in text for key in api.keys.values())
