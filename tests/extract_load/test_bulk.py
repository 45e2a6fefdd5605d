"""The bulk path (Arrow tables, Parquet, binary COPY) lands every source's awkward text exactly
as the row path before it did (Python rows through dlt's normaliser and INSERT): log lines and
CSV rows from files, tweets and SMS messages from API pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dlt
import psycopg
import pyarrow as pa
import pytest
from psycopg import sql

from beejan.core.connections import PostgresConnection
from beejan.core.roles import ensure_roles, login_as
from beejan.core.settings import Settings
from extract_load import call_center, sms, social, web_forms
from extract_load.bulk import Rows, inferred_table
from extract_load.files import KnownFile, Window
from extract_load.pipeline import run_dlt_source
from extract_load.registry import SOURCES
from extract_load.runner import load_sources
from tests.extract_load.conftest import table_rows
from tests.fake_apis import FakeTwilio, FakeX

CALL_LOG = "\n".join(
    [
        r'ts=2026-11-20T08:00:00+01:00 event=call_closed call_id=C-1 notes="back\\slash \\N"',
        r'ts=2026-11-20T08:00:01+01:00 event=call_closed call_id=C-2 notes="tab\there"',
        r'ts=2026-11-20T08:00:02+01:00 event=call_closed call_id=C-3 notes="new\nline\r\nCRLF"',
        r'ts=2026-11-20T08:00:03+01:00 event=call_closed call_id=C-4 notes="say \"hi\" and \'"',
        "ts=2026-11-20T08:00:04+01:00 event=call_closed call_id=C-5 notes=emoji😡📶éàü",
        "ts=2026-11-20T08:00:05+01:00 event=call_closed call_id=C-6 notes=NULL agent_id=",
        'ts=2026-11-20T08:00:06+01:00 event=call_closed call_id=C-7 notes="" mood=angry',
        r'ts=2026-11-20T08:00:07+01:00 event=call_closed call_id=C-8 notes="nul \u0000 escaped"',
        "ts=2026-11-20T08:00:08+01:00 event=call_closed call_id=C-9 notes=raw\x00nul",
        'ts=2026-11-20T08:00:09+01:00 event=call_closed call_id=C-10 notes=" spaced "',
        "",
    ]
).encode()
WEB_EXPORT = (
    "submission_id,submitted_at,message,email\r\n"
    'W-1,2026-11-20 08:14:03,"back\\slash \\N and tab\there",a@x.ng\r\n'
    'W-2,2026-11-20 08:14:04,"new\nline, ""quoted"" and \'",\r\n'
    "W-3,2026-11-20 08:14:05,emoji 😡📶éàü,NULL\r\n"
    'W-4,2026-11-20 08:14:06,"",""\r\n'
    "W-5,2026-11-20 08:14:07,nul\x00byte,\r\n"
    'W-6,2026-11-20 08:14:08," spaced ",b@x.ng\r\n'
).encode()
AWKWARD_TEXTS = [
    "back\\slash \\N",
    "tab\there",
    "new\nline\r\nCRLF",
    'say "hi" and \'',
    "emoji😡📶éàü",
    "NULL",
    "",
    " spaced ",
    "nul \x00 byte",
]
SENT = "Thu, 20 Nov 2026 08:14:03 +0000"
LANDED = {"call_center": 8, "web_forms": 5}
NUL_RECORDS = {"call_center": 2, "web_forms": 1}  # a NUL written raw, or as an escape
# what dlt adds per load, which differs between any two loads
PER_LOAD = ("_dlt_id", "_dlt_load_id", "_extracted_at")


def same_every_load(column: str) -> bool:
    return column not in PER_LOAD


def first_set_aside(column: str) -> bool:
    """A quarantined record keeps the time it was first set aside: that differs too."""
    return same_every_load(column) and column != "quarantined_at"


@pytest.fixture
def landing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "landing"
    (folder / "call_center").mkdir(parents=True)
    (folder / "web_forms").mkdir()
    (folder / "call_center" / "calls_LAG1_2026112008.log").write_bytes(CALL_LOG)
    (folder / "web_forms" / "web_complaints_2026-11-20.csv").write_bytes(WEB_EXPORT)
    monkeypatch.setenv("BEEJAN_LANDING_DIR", str(folder))
    return folder


def row_path_source(name: str, read: Callable[..., Iterator[Any]], resource: dict, folder: Path):
    """The path before the bulk one: every row a Python dict, loaded with INSERT."""

    def build(known: dict[str, KnownFile]) -> dlt.sources.DltSource:
        def rows() -> Iterator[Any]:
            for item in read(folder, known, Window(), 1 << 20):
                if isinstance(item, Rows):
                    yield from (dict(zip(item.names, row, strict=True)) for row in item.values)
                else:
                    yield item

        @dlt.source(name=name)
        def source() -> dlt.sources.DltResource:
            return dlt.resource(rows(), **resource | {"file_format": "insert_values"})

        return source()

    return build


@pytest.mark.parametrize(
    ("module", "read", "table", "key"),
    [
        (call_center, call_center.read_log_files, "call_events", "event_key"),
        (web_forms, web_forms.read_exports, "submissions", "submission_id"),
    ],
    ids=["call_center", "web_forms"],
)
def test_bulk_path_lands_awkward_text_exactly_as_the_row_path_did(
    project_env: PostgresConnection, landing: Path, module, read, table: str, key: str
) -> None:
    source = module.SOURCE
    settings = Settings(_env_file=None)
    ensure_roles(project_env, settings)
    [bulk] = load_sources([source], settings, project_env)
    assert bulk.ok, bulk.error
    loader = login_as("loader", project_env, settings)
    build = row_path_source(source, read, module.RESOURCE, landing / source)
    rows = run_dlt_source(f"{source}_rows", build, loader, settings)

    by_copy = table_rows(project_env, f"raw_{source}", table, key, same_every_load)
    inserted = table_rows(project_env, f"raw_{source}_rows", table, key, same_every_load)
    assert len(by_copy) == LANDED[source]
    assert by_copy == inserted
    # the NUL-bearing records are quarantined the same way on both paths, byte for byte
    quarantine = ("quarantined_records", "quarantine_id", first_set_aside)
    set_aside = table_rows(project_env, f"raw_{source}", *quarantine)
    with psycopg.connect(project_env.dsn()) as conn:
        reasons = conn.execute(
            sql.SQL("select reason, count(*) from {} group by 1").format(
                sql.Identifier(f"raw_{source}", "quarantined_records")
            )
        ).fetchall()
    assert reasons == [("nul_byte", NUL_RECORDS[source])]
    assert set_aside == table_rows(project_env, f"raw_{source}_rows", *quarantine)
    assert rows.rows == bulk.rows


def serve_awkward_api_records(fake_x: FakeX, twilio: FakeTwilio) -> None:
    """Tweets and messages with the awkward texts, and the optional fields the contract allows:
    a reply, a place (a nested object), a message not sent yet, an error code."""
    tweets = [
        {
            "id": str(10**18 + number),
            "text": text,
            "edit_history_tweet_ids": [str(10**18 + number)],
            "author_id": "42",
            "created_at": f"2026-11-20T08:14:{number:02d}.000Z",
            "lang": "en",
        }
        for number, text in enumerate(AWKWARD_TEXTS)
    ]
    tweets[1]["in_reply_to_user_id"] = "1000"
    tweets[2]["geo"] = {"place_id": "5a110d312052166f"}
    fake_x.pages = [tweets[::-1]]
    twilio.messages = [
        twilio.message(f"SM{number:032x}", text, "+2348035550134", SENT)
        for number, text in enumerate(AWKWARD_TEXTS)
    ]
    twilio.messages[1] |= {"date_sent": None, "status": "receiving"}
    twilio.messages[2] |= {"error_code": 30003, "price": "-0.00750"}


@pytest.mark.parametrize(
    ("module", "table", "key"),
    [(social, "tweets", "id"), (sms, "messages", "sid")],
    ids=["social", "sms"],
)
def test_bulk_path_lands_awkward_api_records_exactly_as_the_row_path_did(
    project_env: PostgresConnection,
    fake_x: FakeX,
    twilio: FakeTwilio,
    monkeypatch: pytest.MonkeyPatch,
    module,
    table: str,
    key: str,
) -> None:
    serve_awkward_api_records(fake_x, twilio)
    source = module.SOURCE
    settings = Settings(_env_file=None)
    ensure_roles(project_env, settings)
    made = []  # what the bulk path made of the pages: Arrow tables, not rows left to dlt
    bulk_item = module.bulk_item
    monkeypatch.setattr(module, "bulk_item", lambda rows: made.append(bulk_item(rows)) or made[-1])
    [bulk] = load_sources([source], settings, project_env)
    assert bulk.ok, bulk.error
    assert [type(item) for item in made] == [pa.Table]
    # the row path: each page's rows as dicts, through dlt's normaliser, loaded with INSERT
    monkeypatch.setattr(module, "bulk_item", lambda rows: rows)
    monkeypatch.setattr(module, "RESOURCE", module.RESOURCE | {"file_format": "insert_values"})
    loader = login_as("loader", project_env, settings)
    factory = SOURCES[source].factory
    rows = run_dlt_source(
        f"{source}_rows", lambda known: factory(settings, Window(), known), loader, settings
    )

    by_copy = table_rows(project_env, f"raw_{source}", table, key, same_every_load)
    inserted = table_rows(project_env, f"raw_{source}_rows", table, key, same_every_load)
    assert len(by_copy) == len(AWKWARD_TEXTS) - 1  # the NUL one is quarantined
    assert by_copy == inserted
    assert rows.rows == bulk.rows == {table: len(AWKWARD_TEXTS) - 1}
    quarantine = ("quarantined_records", "quarantine_id", first_set_aside)
    set_aside = table_rows(project_env, f"raw_{source}", *quarantine)
    assert len(set_aside) == 1
    assert set_aside == table_rows(project_env, f"raw_{source}_rows", *quarantine)


def test_api_rows_become_one_arrow_table_unless_their_types_clash() -> None:
    rows = [
        {"id": "1", "geo": {"place_id": "p", "box": {"x": 1.5}}, "ids": ["1"], "tags": [], "n": 1},
        {"id": "2", "geo": None, "ids": None, "tags": ["a", "b"], "n": 2, "gone": None},
    ]
    table = inferred_table(rows, {"ids": {"data_type": "json"}, "n": {"data_type": "bigint"}})
    assert table.to_pylist() == [
        {"id": "1", "geo__place_id": "p", "geo__box__x": 1.5, "ids": '["1"]', "tags": "[]", "n": 1},
        {
            "id": "2",
            "geo__place_id": None,
            "geo__box__x": None,
            "ids": None,
            "tags": '["a", "b"]',
            "n": 2,
        },
    ]
    clashing = [{"n": 1}, {"n": "one"}]
    assert inferred_table(clashing, {}) is clashing  # left to dlt's normaliser: variant columns
