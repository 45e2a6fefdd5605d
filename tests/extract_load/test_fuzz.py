"""The fuzz suite: malformed logfmt, CSV, gzip and JSON pages mixed with good ones, drawn by
Hypothesis (fixed seed, bounded budget) and loaded by the real loaders into a warehouse that
already holds a simulated day. Every example: no crash, every good record lands once, every bad
line or row is quarantined once (a bad file once, whole) with a reason; after all of them the
dbt build passes.
"""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beejan.core.connections import PostgresConnection
from beejan.core.settings import Settings
from extract_load.runner import load_sources
from simulator.live import LiveScenario
from tests.dbt.steps import build
from tests.fake_apis import FakeX

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,  # the same examples on every run
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MAX_RECORD_BYTES = 4096
NOT_ISO = ["yesterday", "20/11/2026 08:14", "2026-13-45T99:00:00+01:00", "", "1732090443"]
counter = itertools.count(1)


def logfmt_quote(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


free_text = st.text(
    st.characters(codec="utf-8", exclude_characters="\x00", exclude_categories=["Cs"]),
    max_size=60,
)


@dataclass
class Expected:
    """What a fuzzed input must come to: keys that land, and origins quarantined (once each)."""

    landed: set[str] = field(default_factory=set)
    quarantined: set[str] = field(default_factory=set)
    bad_records: list[object] = field(default_factory=list)  # API records, as they were sent


@st.composite
def log_file(draw, name: str) -> tuple[str, bytes, Expected]:
    expected = Expected()
    lines = []
    for number in range(1, draw(st.integers(1, 8)) + 1):
        call_id = f"F-{next(counter)}"
        good = (
            f"ts=2026-11-16T{number:02d}:00:00.500+01:00 level=INFO site=FZ1 event=call_started "
            f"call_id={call_id} notes={logfmt_quote(draw(free_text))}"
        ).encode()
        damage = draw(
            st.sampled_from(["none", "none", "bad_byte", "nul", "no_ts", "bad_ts", "quote", "long"])
        )
        if damage == "none":
            expected.landed.add(f"{call_id}:call_started")
            lines.append(good)
            continue
        position = draw(st.integers(0, len(good)))
        lines.append(
            {
                "bad_byte": good[:position] + b"\xff" + good[position:],
                "nul": good[:position] + b"\x00" + good[position:],
                "no_ts": good.split(b" ", 1)[1],
                "bad_ts": f"ts={draw(st.sampled_from(NOT_ISO))} call_id={call_id}".encode(),
                "quote": good + b' extra="never closed',
                "long": good + b" pad=" + b"x" * MAX_RECORD_BYTES,
            }[damage]
        )
        expected.quarantined.add(f"{name}:{number}")
    content = b"\n".join(lines) + b"\n"
    if draw(st.booleans()):  # a last line caught while it was written
        content += b"ts=2026-11-16T23:59:59+01:00 level=IN"
        expected.quarantined.add(f"{name}:{len(lines) + 1}")
    kind = draw(st.sampled_from(["plain", "gzip", "not_gzip", "truncated_gzip", "random"]))
    if not expected.landed:  # not one line could be read: the file is quarantined whole
        expected = Expected(quarantined={name + (".gz" if "gzip" in kind else "")})
    if kind == "plain":
        return name, content, expected
    if kind == "gzip":
        return name + ".gz", gzip.compress(content), expected
    whole = Expected(quarantined={name + (".gz" if "gzip" in kind else "")})
    if kind == "not_gzip":
        return name + ".gz", content, whole
    if kind == "truncated_gzip":
        packed = gzip.compress(content)
        return name + ".gz", packed[: draw(st.integers(1, len(packed) - 9))], whole
    noise = draw(st.binary(min_size=64, max_size=2000)).replace(b"\n", b"\xff")
    return name, b"\xfe\xff" + noise + b"\n" + noise, whole


HEADER = "submission_id,submitted_at,email,category,message"


def csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@st.composite
def csv_export(draw, name: str) -> tuple[str, bytes, Expected]:
    expected = Expected()
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    records = [HEADER.encode()]
    for _ in range(draw(st.integers(1, 6))):
        submission = f"WF-FZ-{next(counter)}"
        message = csv_field(draw(free_text))
        good = f"{submission},2026-11-16 10:00:00,fz@example.ng,Network,{message}".encode()
        damage = draw(
            st.sampled_from(["none", "none", "bad_byte", "fields", "no_id", "bad_date", "nul"])
        )
        # a row's line number is where it starts: earlier rows may span lines
        line = 1 + sum(record.count(b"\n") + 1 for record in records)
        if damage == "none":
            expected.landed.add(submission)
            records.append(good)
            continue
        not_a_date = draw(st.sampled_from(NOT_ISO[:3]))
        records.append(
            {
                "bad_byte": good + b"\xc3",
                "fields": good + b",surplus",
                "no_id": b"," + good.split(b",", 1)[1],
                "bad_date": f"{submission},{not_a_date},a@b.ng,SIM,x".encode(),
                "nul": good.replace(b"fz@", b"f\x00z@"),
            }[damage]
        )
        expected.quarantined.add(f"{name}:{line}")
    content = newline.encode().join(records) + newline.encode()
    kind = draw(st.sampled_from(["good", "good", "no_header", "random"]))
    if kind == "good":
        return name, b"\xef\xbb\xbf" + content if draw(st.booleans()) else content, expected
    whole = Expected(quarantined={name})
    if kind == "no_header":
        return name, content.split(newline.encode(), 1)[1], whole
    return name, draw(st.binary(min_size=10, max_size=500)) + b"\xff\n", whole


@st.composite
def tweet_page(draw) -> tuple[list[object], Expected]:
    """Tweets of one X page (newest first); their ids grow from example to example."""
    expected = Expected()
    tweets: list[object] = []
    for _ in range(draw(st.integers(1, 8))):
        tweet_id = str(10**17 + next(counter))
        tweet = {
            "id": tweet_id,
            "text": draw(free_text),
            "edit_history_tweet_ids": [tweet_id],
            "author_id": "42",
            "created_at": "2026-11-16T10:00:00.000Z",
        }
        damage = draw(
            st.sampled_from(
                ["none", "none", "id", "no_date", "bad_date", "nul", "surrogate", "list"]
            )
        )
        if damage == "none":
            expected.landed.add(tweet_id)
        else:
            if damage == "id":
                tweet["id"] = draw(st.sampled_from(["12a", "", "-5", "1" * 25]))
            elif damage == "no_date":
                del tweet["created_at"]
            elif damage == "bad_date":
                tweet["created_at"] = draw(st.sampled_from(NOT_ISO))
            elif damage == "nul":
                tweet["text"] += "\x00"
            elif damage == "surrogate":
                tweet["text"] += "\ud83d"
            else:
                tweet = [tweet_id]
            expected.bad_records.append(tweet)
        tweets.append(tweet)
    return tweets[::-1], expected


@pytest.fixture
def fuzz_target(loaded: LiveScenario, project_env, monkeypatch) -> Iterator[tuple]:
    fake = FakeX()
    monkeypatch.setenv("BEEJAN_SOCIAL_API_BASE", fake.url)
    monkeypatch.setenv("BEEJAN_MAX_RECORD_BYTES", str(MAX_RECORD_BYTES))
    yield loaded, project_env, fake
    fake.close()
    build(project_env)  # what the loaders let through, dbt builds and tests clean


def accounted(warehouse: PostgresConnection, source: str, table: str, key: str) -> tuple:
    with psycopg.connect(warehouse.dsn()) as conn:
        keys = [row[0] for row in conn.execute(f"select {key}::text from {table}")]
        origins = [
            row[0]
            for row in conn.execute(
                "select origin from raw_quarantine.quarantined_records where source = %s",
                (source,),
            )
        ]
        payloads = [
            bytes(row[0])
            for row in conn.execute(
                "select payload from raw_quarantine.quarantined_records where source = %s",
                (source,),
            )
        ]
    return keys, origins, payloads


@FUZZ
@given(
    logs=st.lists(st.integers(), min_size=1, max_size=3).flatmap(
        lambda names: st.tuples(*(log_file(f"fz/calls_FZ{next(counter)}.log") for _ in names))
    ),
    exports=st.lists(st.integers(), min_size=1, max_size=2).flatmap(
        lambda names: st.tuples(
            *(csv_export(f"web_complaints_fz{next(counter)}.csv") for _ in names)
        )
    ),
    pages=st.lists(tweet_page(), min_size=1, max_size=3),
)
def test_malformed_input_is_quarantined_once_and_the_rest_lands(
    fuzz_target, logs, exports, pages
) -> None:
    live, warehouse, fake = fuzz_target
    landing = live.scenario.landing
    for name, content, _ in logs:
        (landing / "call_center" / name).parent.mkdir(parents=True, exist_ok=True)
        (landing / "call_center" / name).write_bytes(content)
    for name, content, _ in exports:
        (landing / "web_forms" / name).write_bytes(content)
    fake.pages = [tweets for tweets, _ in pages]

    results = load_sources(
        ["call_center", "web_forms", "social"], Settings(_env_file=None), warehouse
    )
    assert [result.error for result in results] == [None, None, None]

    keys, origins, _ = accounted(
        warehouse, "call_center", "raw_call_center.call_events", "event_key"
    )
    for name, _, expected in logs:
        assert expected.landed <= set(keys)
        mine = [origin for origin in origins if origin.split(":")[0] == name or origin == name]
        assert sorted(mine) == sorted(expected.quarantined), name
    keys, origins, _ = accounted(
        warehouse, "web_forms", "raw_web_forms.submissions", "submission_id"
    )
    for name, _, expected in exports:
        assert expected.landed <= set(keys)
        mine = [origin for origin in origins if origin.split(":")[0] == name]
        assert sorted(mine) == sorted(expected.quarantined), name
    keys, _, payloads = accounted(warehouse, "social", "raw_social.tweets", "id")
    for _, expected in pages:
        assert expected.landed <= set(keys)
        for record in expected.bad_records:
            sent = json.dumps(record, ensure_ascii=False).encode("utf-8", "surrogatepass")
            assert payloads.count(sent) == 1, record
    assert len(keys) == len(set(keys))
