"""The fuzz suite: malformed logfmt, CSV, gzip and JSON pages mixed with good ones, drawn by
Hypothesis (fixed seed, bounded budget) and loaded by the real loaders into a warehouse that
already holds a simulated day. Every example: no crash, every good record lands once, every bad
line or row is quarantined once (a bad file once, whole) with a reason; after all of them the
dbt build passes.

Hypothesis draws the shape of each input (which lines, how damaged, where); the test gives the
records their unique ids and names when it writes them, so that every example is new to the
warehouse and the drawing itself depends on nothing outside it.
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
NOT_CMS = ["yesterday", "2026-13-45T99:00:00Z", "32/13/2026 25:61"]  # no CMS export format
LINE_DAMAGES = ["none", "none", "bad_byte", "nul", "no_ts", "bad_ts", "quote", "long"]
FILE_KINDS = ["plain", "gzip", "not_gzip", "truncated_gzip", "random"]
ROW_DAMAGES = ["none", "none", "bad_byte", "fields", "no_id", "bad_date", "nul"]
TWEET_DAMAGES = ["none", "none", "id", "no_date", "bad_date", "nul", "surrogate", "list"]
BAD_IDS = ["12a", "", "-5", "1" * 25]
ids = itertools.count(1)  # unique ids across examples, given when inputs are written

free_text = st.text(
    st.characters(codec="utf-8", exclude_characters="\x00", exclude_categories=["Cs"]),
    max_size=60,
)
fraction = st.floats(min_value=0, max_value=1)


@dataclass
class Expected:
    """What a fuzzed input must come to: keys that land, and origins quarantined (once each)."""

    landed: set[str] = field(default_factory=set)
    quarantined: set[str] = field(default_factory=set)
    bad_records: list[object] = field(default_factory=list)  # API records, as they were sent


def at(data: bytes, where: float) -> int:
    return int(where * len(data))


def logfmt_quote(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


log_files = st.lists(
    st.tuples(
        st.lists(
            st.tuples(st.sampled_from(LINE_DAMAGES), free_text, fraction, st.sampled_from(NOT_ISO)),
            min_size=1,
            max_size=8,
        ),
        st.booleans(),  # a last line caught while it was written
        st.sampled_from(FILE_KINDS),
        st.binary(min_size=64, max_size=2000),
        fraction,
    ),
    min_size=1,
    max_size=3,
)


def write_log_file(spec: tuple) -> tuple[str, bytes, Expected]:
    lines_spec, cut, kind, noise, cut_at = spec
    name = f"fz/calls_FZ{next(ids)}.log" + (".gz" if "gzip" in kind else "")
    expected, lines = Expected(), []
    for number, (damage, text, where, not_iso) in enumerate(lines_spec, start=1):
        call_id = f"F-{next(ids)}"
        good = (
            f"ts=2026-11-16T{number:02d}:00:00.500+01:00 level=INFO site=FZ1 event=call_started "
            f"call_id={call_id} notes={logfmt_quote(text)}"
        ).encode()
        if damage == "none":
            expected.landed.add(f"{call_id}:call_started")
            lines.append(good)
            continue
        lines.append(
            {
                "bad_byte": good[: at(good, where)] + b"\xff" + good[at(good, where) :],
                "nul": good[: at(good, where)] + b"\x00" + good[at(good, where) :],
                "no_ts": good.split(b" ", 1)[1],
                "bad_ts": f"ts={not_iso} call_id={call_id}".encode(),
                "quote": good + b' extra="never closed',
                "long": good + b" pad=" + b"x" * MAX_RECORD_BYTES,
            }[damage]
        )
        expected.quarantined.add(f"{name}:{number}")
    content = b"\n".join(lines) + b"\n"
    if cut:
        content += b"ts=2026-11-16T23:59:59+01:00 level=IN"
        expected.quarantined.add(f"{name}:{len(lines) + 1}")
    if not expected.landed or kind in ("not_gzip", "truncated_gzip", "random"):
        # not one line can be read: the file is quarantined whole
        expected = Expected(quarantined={name})
    if kind == "gzip":
        return name, gzip.compress(content), expected
    if kind == "truncated_gzip":
        packed = gzip.compress(content)
        return name, packed[: max(1, min(at(packed, cut_at), len(packed) - 9))], expected
    if kind == "random":
        noise = noise.replace(b"\n", b"\xff")
        return name, b"\xfe\xff" + noise + b"\n" + noise, expected
    return name, content, expected  # plain, or not gzip at all under a .gz name


exports = st.lists(
    st.tuples(
        st.lists(
            st.tuples(st.sampled_from(ROW_DAMAGES), free_text, st.sampled_from(NOT_CMS)),
            min_size=1,
            max_size=6,
        ),
        st.sampled_from(["\n", "\r\n"]),
        st.sampled_from(["good", "good", "no_header", "random"]),
        st.booleans(),  # a byte-order mark
        st.binary(min_size=10, max_size=500),
    ),
    min_size=1,
    max_size=2,
)
HEADER = b"submission_id,submitted_at,email,category,message"


def write_export(spec: tuple) -> tuple[str, bytes, Expected]:
    rows_spec, newline, kind, bom, noise = spec
    name = f"web_complaints_fz{next(ids)}.csv"
    expected, records = Expected(), [HEADER]
    for damage, text, not_a_date in rows_spec:
        submission = f"WF-FZ-{next(ids)}"
        message = '"' + text.replace('"', '""') + '"'
        good = f"{submission},2026-11-16 10:00:00,fz@example.ng,Network,{message}".encode()
        # a row's line number is where it starts: earlier rows may span lines
        line = 1 + sum(record.count(b"\n") + 1 for record in records)
        if damage == "none":
            expected.landed.add(submission)
            records.append(good)
            continue
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
    if kind == "good":
        return name, (b"\xef\xbb\xbf" if bom else b"") + content, expected
    if kind == "no_header":
        return name, content.split(newline.encode(), 1)[1], Expected(quarantined={name})
    return name, noise + b"\xff\n", Expected(quarantined={name})


tweet_pages = st.lists(
    st.lists(
        st.tuples(st.sampled_from(TWEET_DAMAGES), free_text, st.sampled_from(BAD_IDS)),
        min_size=1,
        max_size=8,
    ),
    min_size=1,
    max_size=3,
)


def write_tweet_page(spec: list) -> tuple[list[object], Expected]:
    """Tweets of one X page (newest first); their ids grow from example to example."""
    expected, tweets = Expected(), []
    for damage, text, bad_id in spec:
        tweet_id = str(10**17 + next(ids))
        tweet: object = {
            "id": tweet_id,
            "text": text,
            "edit_history_tweet_ids": [tweet_id],
            "author_id": "42",
            "created_at": "2026-11-16T10:00:00.000Z",
        }
        if damage == "none":
            expected.landed.add(tweet_id)
        else:
            if damage == "id":
                tweet["id"] = bad_id
            elif damage == "no_date":
                del tweet["created_at"]
            elif damage == "bad_date":
                tweet["created_at"] = bad_id
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
        quarantined = conn.execute(
            "select origin, payload from raw_quarantine.quarantined_records where source = %s",
            (source,),
        ).fetchall()
    return keys, [origin for origin, _ in quarantined], [bytes(p) for _, p in quarantined]


@FUZZ
@given(log_specs=log_files, export_specs=exports, page_specs=tweet_pages)
def test_malformed_input_is_quarantined_once_and_the_rest_lands(
    fuzz_target, log_specs, export_specs, page_specs
) -> None:
    live, warehouse, fake = fuzz_target
    landing = live.scenario.landing
    logs = [write_log_file(spec) for spec in log_specs]
    for name, content, _ in logs:
        (landing / "call_center" / name).parent.mkdir(parents=True, exist_ok=True)
        (landing / "call_center" / name).write_bytes(content)
    forms = [write_export(spec) for spec in export_specs]
    for name, content, _ in forms:
        (landing / "web_forms" / name).write_bytes(content)
    pages = [write_tweet_page(spec) for spec in page_specs]
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
    for name, _, expected in forms:
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
