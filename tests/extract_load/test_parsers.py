"""The file formats, read the way the source systems write them (no database needed)."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beejan.core.errors import BeejanError
from extract_load import bulk, call_center, sms, social, web_forms
from extract_load.bulk import Rows, tabled
from extract_load.call_center import ARROW, parse_line, read_log_file
from extract_load.call_center.logfmt import LogfmtError, _walk, parse_logfmt
from extract_load.files import KnownFile, LandedFile, inspected
from extract_load.quarantine import (
    QUARANTINE_TABLE,
    Reason,
    UnusableRecord,
    check_storable,
    quarantined,
)
from extract_load.web_forms import csv_records, parse_fields, parse_record, read_export
from extract_load.web_forms.timestamps import CMS_FORMATS, cms_instants, parse_cms_timestamp

LIMIT = 1024 * 1024
HEADER = b"submission_id,submitted_at,email,category,message\r\n"


def landed(path: str, content: bytes) -> LandedFile:
    return inspected(path, lambda: io.BytesIO(content), datetime.now(UTC), None)


def split(items: list) -> tuple[list[dict], list[dict], list[dict]]:
    """(rows, quarantined records, registry entries) of what a file reader yielded."""
    rows, quarantined, registry = [], [], []
    for item in items:
        if isinstance(item, Rows):
            rows += [dict(zip(item.names, values, strict=True)) for values in item.values]
        elif isinstance(item, pa.Table):
            rows += item.to_pylist()
        elif item.meta.hints["table_name"] == QUARANTINE_TABLE:
            quarantined.append(item.data)
        else:
            registry.append(item.data)
    return rows, quarantined, registry


def test_logfmt_quoted_values_follow_go_escapes() -> None:
    line = r'ts=1 notes="say \"hi\"\nnext\tline \\ \u00e9"' + " caller=don't flag empty="
    assert parse_logfmt(line) == {
        "ts": "1",
        "notes": 'say "hi"\nnext\tline \\ é',
        "caller": "don't",
        "flag": "true",
        "empty": "",
    }


def test_a_bare_value_takes_any_character_but_space() -> None:
    assert parse_logfmt("a=b=c d=x,y;z e='q'") == {"a": "b=c", "d": "x,y;z", "e": "'q'"}


@pytest.mark.parametrize("line", ['a="unterminated', 'a="x"b', '="x"', 'a b="c'])
def test_what_is_not_logfmt_says_where(line: str) -> None:
    with pytest.raises(LogfmtError, match="column"):
        parse_logfmt(line)


def test_a_long_line_parses_in_one_pass() -> None:
    """200,000 escaped characters: a quadratic parser would take minutes, this one does not
    need to be timed to tell (it would not finish within pytest's patience)."""
    value = r"a\"b " * 50_000
    assert parse_logfmt(f'ts=1 notes="{value}"')["notes"] == 'a"b ' * 50_000


def test_a_line_over_the_size_limit_is_quarantined_not_parsed() -> None:
    with pytest.raises(UnusableRecord) as caught:
        parse_line(b"ts=2026-11-20T08:14:03+01:00 notes=" + b"x" * 2000, "f.log", 1, 1024)
    assert caught.value.reason == Reason.RECORD_TOO_LARGE


def outcome(parse: Callable[[str], dict[str, str]], line: str) -> dict[str, str] | str:
    try:
        return parse(line)
    except LogfmtError as error:
        return f"LogfmtError: {error}"


@settings(max_examples=3000, derandomize=True, deadline=None)
@given(st.text(alphabet=" \t=\"\\ab'\x0b\r\u00a0é", max_size=24))
def test_logfmt_fast_path_reads_every_line_as_the_pair_by_pair_walk_does(line: str) -> None:
    """The two regular expressions accept, split and refuse exactly what the walk does."""
    assert outcome(parse_logfmt, line) == outcome(_walk, line)


def test_contract_keys_are_columns_and_the_rest_go_to_extra_fields() -> None:
    row = parse_line(
        b"ts=2026-11-20T08:14:03.120+01:00 level=INFO event=call_closed call_id=C-1 "
        b"_dlt_id=evil Caller=x",
        "f.log",
        3,
        LIMIT,
    )
    assert row["event_key"] == "C-1:call_closed"
    assert row["ts"] == datetime(2026, 11, 20, 7, 14, 3, 120_000, tzinfo=UTC)
    assert json.loads(row["extra_fields"]) == {"_dlt_id": "evil", "Caller": "x"}
    assert "_dlt_id" not in row


def test_each_bad_line_is_quarantined_with_its_own_reason_and_exact_bytes() -> None:
    good = b"ts=2026-11-20T08:14:03+01:00 level=INFO event=heartbeat"
    lines = [
        good,
        b"ts=2026-11-20T08:14:03+01:00 notes=\xff\xfe",  # not UTF-8
        b'ts=2026-11-20T08:14:03+01:00 notes="a\x00b"',  # NUL
        b"level=INFO event=x",  # no ts
        b"ts=yesterday level=INFO",  # unreadable ts
        b"ts=2026-11-20T08:14:03 level=INFO",  # no offset
        b'ts=2026-11-20T08:14:03+01:00 notes="open',  # not logfmt
        good + b"\r",  # CRLF: the line is fine
        b'ts=2026-11-20T08:14:03+01:00 notes="a\\u0000b"',  # NUL written as an escape
    ]
    content = b"\n".join(lines) + b"\nts=2026-11-20T08:1"  # and a cut-off last line
    rows, quarantined, [entry] = split(list(read_log_file(landed("d/f.log", content), LIMIT)))
    assert len(rows) == 2
    assert [(q["reason"], q["payload"], q["origin"]) for q in quarantined] == [
        ("invalid_utf8", lines[1], "d/f.log:2"),
        ("nul_byte", lines[2], "d/f.log:3"),
        ("missing_field", lines[3], "d/f.log:4"),
        ("bad_timestamp", lines[4], "d/f.log:5"),
        ("bad_timestamp", lines[5], "d/f.log:6"),
        ("unparseable_record", lines[6], "d/f.log:7"),
        ("nul_byte", lines[8], "d/f.log:9"),
        ("cut_off_line", b"ts=2026-11-20T08:1", "d/f.log:10"),
    ]
    assert (entry["outcome"], entry["records"], entry["quarantined_records"]) == ("loaded", 2, 8)


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("f.log.gz", b"not gzip at all"),
        ("f.log.gz", gzip.compress(b"ts=2026-11-20T08:14:03+01:00 a=b\n" * 100, mtime=0)[:-20]),
        ("f.log", bytes(range(256)) * 40),  # random bytes: no line can be read
    ],
    ids=["not-gzip", "truncated-gzip", "binary"],
)
def test_an_unreadable_file_is_quarantined_whole_once(path: str, content: bytes) -> None:
    rows, [record], [entry] = split(list(read_log_file(landed(path, content), LIMIT)))
    assert rows == []
    assert (record["reason"], record["payload"], record["origin"]) == (
        "unreadable_file",
        content,
        path,
    )
    assert entry["outcome"] == "quarantined"


@pytest.mark.parametrize(
    ("module", "read", "path", "header", "line"),
    [
        (
            call_center,
            read_log_file,
            "calls.log.gz",
            b"",
            b"ts=2026-11-20T08:14:03+01:00 event=call_closed call_id=C-%d",
        ),
        (web_forms, read_export, "w.csv", HEADER, b'WF-%d,20/11/2026 08:14,a@x.ng,SIM,"a,\nb"'),
    ],
    ids=["call_center", "web_forms"],
)
def test_a_file_is_read_a_batch_of_rows_at_a_time(
    monkeypatch: pytest.MonkeyPatch, module, read, path: str, header: bytes, line: bytes
) -> None:
    monkeypatch.setattr(module, "BATCH_ROWS", 3)
    content = header + b"".join(line % number + b"\r\n" for number in range(10)) + b"\n"
    if path.endswith(".gz"):
        content = gzip.compress(content)
    items = list(read(landed(path, content), LIMIT))
    batches = [
        len(item.values) if isinstance(item, Rows) else item.num_rows
        for item in items
        if isinstance(item, Rows | pa.Table)
    ]
    assert batches == [3, 3, 3, 1]
    rows, quarantined, [entry] = split(items)
    assert quarantined == [] and entry["records"] == len(rows) == 10
    origins = {
        (row["source_file"], row.get("row_number") or row.get("line_number")) for row in rows
    }
    assert len(origins) == 10


def test_rows_of_several_files_are_gathered_into_tables_of_one_layout() -> None:
    schema = web_forms.ARROW
    first, second = ("submission_id", "message"), ("submission_id", "message", "channel")
    items = [
        Rows(first, [("WF-1", "a"), ("WF-2", "b")]),
        "a registry entry",
        Rows(first, [("WF-3", "c")]),
        Rows(second, [("WF-4", "d", "app")]),
    ]
    tables = list(tabled(items, schema))
    assert tables[0] == "a registry entry"
    assert [table.to_pylist() for table in tables[1:]] == [
        [{"submission_id": f"WF-{n}", "message": m} for n, m in ((1, "a"), (2, "b"), (3, "c"))],
        [{"submission_id": "WF-4", "message": "d", "channel": "app"}],
    ]


def test_hinted_records_of_several_files_are_gathered_into_a_list_per_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = [landed(f"d/{n}.log", b"ts=2026-11-20T08:1") for n in range(3)]
    items = []
    for file in files:
        items += [quarantined("call_center", Reason.CUT_OFF_LINE, b"x" * 10, file.path)]
        items += [file.registry_entry("loaded", 0, 1)]
    lists = [(item.meta.hints["table_name"], item.data) for item in tabled(items, ARROW)]
    assert [
        (table, [record["origin" if "origin" in record else "path"] for record in data])
        for table, data in lists
    ] == [
        (QUARANTINE_TABLE, ["d/0.log", "d/1.log", "d/2.log"]),
        ("landed_files", ["d/0.log", "d/1.log", "d/2.log"]),
    ]
    monkeypatch.setattr(bulk, "MAX_LISTED_BYTES", 20)  # passed on at the second payload
    lists = [(item.meta.hints["table_name"], len(item.data)) for item in tabled(items, ARROW)]
    assert lists == [
        (QUARANTINE_TABLE, 2),
        ("landed_files", 1),
        ("landed_files", 2),
        (QUARANTINE_TABLE, 1),
    ]


def test_csv_records_end_at_newlines_outside_quotes_and_keep_their_bytes() -> None:
    data = b'a,b\r\n1,"x\r\ny, ""q"""\r\n2,z\n3,"never closed\n'
    assert list(csv_records(io.BytesIO(data))) == [
        (1, b"a,b", True),
        (2, b'1,"x\r\ny, ""q"""', True),
        (4, b"2,z", True),
        (5, b'3,"never closed\n', False),
    ]


def test_web_form_rows_that_cannot_be_used_are_quarantined_byte_for_byte() -> None:
    rows_in = [
        b'WF-1,20/11/2026 08:14,a@x.ng,Network,"no signal, \xf0\x9f\x98\xa1\r\nsince ""Monday"""',
        b"WF-2,yesterday,b@x.ng,Billing,charged twice",
        b",2026-11-20T07:14:03Z,c@x.ng,Billing,no id",
        b"WF-4,2026-11-20 08:14:03,d@x.ng,too,many,fields",
        b"WF-5,2026-11-20 08:14:03,e@x.ng,SIM,bad \xc3",
        b'WF-6,2026-11-20 08:14:03,f@x.ng,SIM,"a\x00b"',
    ]
    content = b"\xef\xbb\xbf" + HEADER + b"\r\n".join(rows_in) + b"\r\n"
    rows, quarantined, [entry] = split(list(read_export(landed("w.csv", content), LIMIT)))
    assert [row["submission_id"] for row in rows] == ["WF-1"]
    assert rows[0]["message"] == 'no signal, 😡\r\nsince "Monday"'
    assert rows[0]["submitted_at_utc"] == datetime(2026, 11, 20, 7, 14, tzinfo=UTC)
    assert [(q["reason"], q["payload"]) for q in quarantined] == [
        ("bad_timestamp", rows_in[1]),
        ("missing_field", rows_in[2]),
        ("field_count_mismatch", rows_in[3]),
        ("invalid_utf8", rows_in[4]),
        ("nul_byte", rows_in[5]),
    ]
    assert entry["records"] == 1 and entry["quarantined_records"] == 5


def test_an_export_without_its_header_is_quarantined_whole() -> None:
    content = b"WF-1,20/11/2026 08:14,a@x.ng,Network,hello\nWF-2,20/11/2026 08:15,b,c,d\n"
    rows, [record], [entry] = split(list(read_export(landed("w.csv", content), LIMIT)))
    assert rows == [] and record["reason"] == "missing_header" and record["payload"] == content
    assert entry["outcome"] == "quarantined"


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("20/11/2026 08:14", datetime(2026, 11, 20, 7, 14, tzinfo=UTC)),  # v1, Lagos
        ("2026-11-20 08:14:03", datetime(2026, 11, 20, 7, 14, 3, tzinfo=UTC)),  # v2, Lagos
        ("2026-11-20T07:14:03Z", datetime(2026, 11, 20, 7, 14, 3, tzinfo=UTC)),  # v3, UTC
    ],
)
def test_cms_timestamps_in_all_three_formats(text: str, instant: datetime) -> None:
    assert parse_cms_timestamp(text) == instant


def test_a_cms_timestamp_in_no_known_format_is_an_error() -> None:
    with pytest.raises(ValueError, match="none of the CMS's formats"):
        parse_cms_timestamp("yesterday")


def test_api_records_are_replayed_through_the_sources_own_checks() -> None:
    tweet = (
        b'{"id": "1864000000000000001", "text": "no network", "created_at": "2026-11-20T07:14:03Z"}'
    )
    row = social.replay_row(tweet, "https://api.x.com/2/tweets/search/recent", {}, LIMIT)
    assert (row["id"], row["author_username"]) == ("1864000000000000001", None)
    message = (
        b'{"sid": "SM' + b"a" * 32 + b'", "body": "no data", '
        b'"date_sent": "Fri, 20 Nov 2026 07:14:03 +0000", "date_created": null}'
    )
    assert sms.replay_row(message, "page", {}, LIMIT)["date_sent"] == datetime(
        2026, 11, 20, 7, 14, 3, tzinfo=UTC
    )
    for payload, reason in (
        (b'{"sid": "SM' + b"a" * 32 + b'", "body": ', Reason.UNPARSEABLE_RECORD),
        (b'{"sid": "42", "date_sent": "Fri, 20 Nov 2026 07:14:03 +0000"}', Reason.INVALID_VALUE),
        (b'{"sid": "\xff"}', Reason.INVALID_UTF8),
    ):
        with pytest.raises(UnusableRecord) as error:
            sms.replay_row(payload, "page", {}, LIMIT)
        assert error.value.reason == reason


def test_a_replayed_row_is_read_under_its_exports_header_and_a_whole_file_is_refused() -> None:
    known = {
        "web_complaints_20261120.csv": KnownFile(
            3, datetime.now(UTC), "sha", "loaded", 1, 1, "submission_id,submitted_at,message"
        )
    }
    origin = "web_complaints_20261120.csv:3"
    row = web_forms.replay_row(b'WF-9,20/11/2026 08:14,"no signal, again"', origin, known, LIMIT)
    assert (row["message"], row["row_number"]) == ("no signal, again", 3)
    with pytest.raises(UnusableRecord) as error:
        two_rows = b"WF-9,20/11/2026 08:14,x\nWF-10,20/11/2026 08:15,y"
        web_forms.replay_row(two_rows, origin, known, LIMIT)
    assert error.value.reason == Reason.UNPARSEABLE_RECORD  # one row, not two
    with pytest.raises(BeejanError, match="whole file"):
        web_forms.replay_row(b"anything", "web_complaints_20261120.csv", known, LIMIT)


@pytest.mark.parametrize(
    ("record", "reason", "field"),
    [
        ({"a": "plain", "b": "émoji 😀", "n": 5}, None, None),
        ({"a": "plain", "b": "x\x00y"}, Reason.NUL_BYTE, "b"),
        ({"a": "ok", "b": "lone \ud83d"}, Reason.INVALID_UTF8, "b"),
        ({"a": "half \ud83d", "b": "\ude00 half"}, Reason.INVALID_UTF8, "a"),  # no pair across
    ],
)
def test_a_text_postgresql_cannot_store_is_refused_with_its_field(record, reason, field) -> None:
    if reason is None:
        check_storable(record)
        return
    with pytest.raises(UnusableRecord) as refused:
        check_storable(record)
    assert refused.value.reason == reason and repr(field) in refused.value.detail


def by_strptime(text: str) -> datetime | None:
    for pattern, zone, _ in CMS_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).replace(tzinfo=zone)
        except ValueError:
            continue
    return None


USUAL_SHAPES = r"\d\d/\d\d/\d{4} \d\d:\d\d|\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\dZ?"


@settings(max_examples=400, derandomize=True)
@given(st.from_regex(USUAL_SHAPES, fullmatch=True) | st.text(max_size=25))
def test_cms_timestamps_read_without_strptime_as_strptime_reads_them(text: str) -> None:
    try:
        read = parse_cms_timestamp(text)
    except ValueError:
        read = None
    assert read == by_strptime(text)


# what Arrow's strptime reads otherwise than Python: days and times that do not exist
NO_SUCH_TIMES = ["31/02/2026 08:14", "20/11/2026 24:00", "2026-02-29 08:14:03"]
NO_SUCH_TIMES += ["2026-11-20T23:59:60Z", " 2/1/2026 8:05 ", "01/01/999 00:00"]
CMS_TIMESTAMP = st.builds(  # a time that exists, as the CMS writes it
    lambda moment, pattern: moment.strftime(pattern),
    st.datetimes(min_value=datetime(1000, 1, 1)),
    st.sampled_from([pattern for pattern, *_ in CMS_FORMATS]),
)
CMS_TEXT = (
    st.from_regex(USUAL_SHAPES, fullmatch=True)
    | st.sampled_from(NO_SUCH_TIMES)
    | CMS_TIMESTAMP
    | st.text(max_size=25)
)


@settings(max_examples=300, derandomize=True)
@given(st.lists(CMS_TEXT, max_size=6))
def test_a_column_of_cms_timestamps_reads_as_each_value_reads(texts: list[str]) -> None:
    try:
        expected = [parse_cms_timestamp(text) for text in texts]
    except ValueError:
        with pytest.raises(ValueError, match="none of the CMS's formats"):
            cms_instants(pa.array(texts, pa.string()))
        return
    assert cms_instants(pa.array(texts, pa.string())).to_pylist() == expected


def by_record(content: bytes, max_bytes: int) -> tuple[list[dict], list[tuple[str, bytes]]]:
    """(rows, quarantined (reason, payload)) of an export read record by record: the oracle
    of the columnar path."""
    header_record, *records = csv_records(io.BytesIO(content))
    header = parse_fields(header_record[1])
    rows, quarantined = [], []
    for number, record, balanced in records:
        if not record.strip():
            continue
        try:
            rows.append(parse_record(header, record, balanced, "w.csv", number, max_bytes))
        except UnusableRecord as error:
            quarantined.append((error.reason, record))
    return rows, quarantined


def read_both_ways(content: bytes, max_bytes: int = LIMIT) -> tuple[list, list[dict]]:
    items = list(read_export(landed("w.csv", content), max_bytes))
    rows, quarantined, [entry] = split(items)
    read = (rows, [(q["reason"], q["payload"]) for q in quarantined])
    assert read == by_record(content, max_bytes)
    assert (entry["records"], entry["quarantined_records"]) == (len(rows), len(quarantined))
    return items, rows


def test_plain_exports_are_read_at_once_into_the_rows_the_record_path_gives() -> None:
    content = HEADER + (
        b'WF-1,20/11/2026 08:14,a@x.ng,Network,"no signal, \xf0\x9f\x98\xa1\r\n'
        b'since ""Monday"""\r\n'
        b"WF-2,2026-11-20 08:14:03,,Billing,tab\there \\ back\\slash\r\n"
        b'WF-3,2026-11-20T07:14:03Z,"",SIM,""\r\n'
        b"\r\n"
        b"WF-4, 2/1/2026 8:05 ,d@x.ng,SIM,single digits and spaces\r\n"
    )
    items, rows = read_both_ways(content)
    assert [type(item) for item in items[:-1]] == [pa.Table]  # the block, read at once
    assert [row["row_number"] for row in rows] == [2, 4, 5, 7]
    assert rows[1]["email"] == rows[2]["email"] == rows[2]["message"] == ""  # not null


PLAIN_TEXT = st.text(alphabet=st.sampled_from(list("ab \t\\é😡'")), max_size=6)
QUOTABLE_TEXT = st.text(alphabet=st.sampled_from(list('ab ,"\r\n\t\\é😡')), max_size=6)
PLAIN_FIELD = PLAIN_TEXT.map(str.encode) | QUOTABLE_TEXT.map(
    lambda text: b'"' + text.replace('"', '""').encode() + b'"'
)
PLAIN_PARTS = st.tuples(  # submission_id, submitted_at, email, category, message
    st.sampled_from([b"WF-1", b"WF-2"]),
    CMS_TIMESTAMP.map(str.encode),
    PLAIN_FIELD,
    PLAIN_FIELD,
    PLAIN_FIELD,
)
PLAIN_RECORD = PLAIN_PARTS.map(b",".join)
DEFECTS = {  # part of a record -> what may stand there instead, alone (5: a field too many)
    0: [b"", b" ", b"\xc2\xa0"],  # no submission id (a no-break space is blank)
    1: [text.encode() for text in NO_SUCH_TIMES] + [b"yesterday", b"2026-11-20T07:14:03"],
    4: [b'a"b', b'"a"b', b'"a""', b"a\x00b", b'"a\x00b"', b"bad \xc3", b"a\rb", b'"a\rb"'],
    5: [b"", b"a field too many"],
}
RECORD_LIMIT = 200  # bytes: a plain record is at most about 110
DEFECTS[4].append(b"x" * RECORD_LIMIT)
DEFECT = st.sampled_from(sorted(DEFECTS)).flatmap(
    lambda part: st.tuples(st.just(part), st.sampled_from(DEFECTS[part]))
)
DEFECTIVE_RECORD = st.builds(
    lambda parts, defect: b",".join((*parts[: defect[0]], defect[1], *parts[defect[0] + 1 :])),
    PLAIN_PARTS,
    DEFECT,
)


def export(records: list[bytes], newline: bytes) -> bytes:
    return HEADER + b"".join(record + newline for record in records)


@settings(max_examples=100, derandomize=True)
@given(st.lists(PLAIN_RECORD, min_size=1, max_size=8), st.sampled_from([b"\r\n", b"\n"]))
def test_plain_records_are_read_at_once_as_the_record_path_reads_them(
    records: list[bytes], newline: bytes
) -> None:
    items, _ = read_both_ways(export(records, newline))
    assert [type(item) for item in items[:-1]] == [pa.Table]


@settings(max_examples=300, derandomize=True)
@given(
    st.lists(PLAIN_RECORD, max_size=3),
    DEFECTIVE_RECORD,
    st.lists(PLAIN_RECORD, max_size=3),
    st.sampled_from([b"\r\n", b"\n"]),
)
def test_a_block_with_one_defective_record_is_read_as_the_record_path_reads_it(
    before: list[bytes], defective: bytes, after: list[bytes], newline: bytes
) -> None:
    read_both_ways(export([*before, defective, *after], newline), RECORD_LIMIT)


def test_an_export_read_record_by_record_keeps_its_own_layout_after_one_all_quarantined() -> None:
    first = HEADER + b"WF-1,yesterday,a@x.ng,SIM,bad time\r\n"
    second = b"submission_id,submitted_at,message,channel\r\n"
    second += b"WF-2,2026-11-20T07:14:03Z,hi,app\r\nWF-3,yesterday,bad time,app\r\n"
    items = [
        *read_export(landed("web_complaints_1.csv", first), LIMIT),
        *read_export(landed("web_complaints_2.csv", second), LIMIT),
    ]
    tables = [item for item in tabled(items, web_forms.ARROW) if isinstance(item, pa.Table)]
    [row] = [row for table in tables for row in table.to_pylist()]
    assert (row["submission_id"], row["message"], row["channel"]) == ("WF-2", "hi", "app")
