"""The columnar path of a log file gives the rows the line path gives, and leaves it the rest."""

from __future__ import annotations

import sys
from contextlib import suppress

from hypothesis import given, settings
from hypothesis import strategies as st

from extract_load.call_center import ARROW, CONTRACT_KEY_SET, parse_values
from extract_load.call_center.columnar import MAX_LAYOUTS, OTHER_SPACE, block_table
from extract_load.quarantine import UnusableRecord

LIMIT = 120  # bytes: some generated lines are longer


def by_line(lines: list[tuple[int, bytes]]) -> list[tuple]:
    rows = []
    for number, line in lines:
        with suppress(UnusableRecord):  # the line path quarantines it
            rows.append(parse_values(line, "f.log", number, LIMIT))
    return rows


def both_ways(lines: list[tuple[int, bytes]]) -> tuple[list[tuple], list[tuple[int, bytes]]]:
    """The rows the columnar path took, with the line path's rows of the rest, in line order
    (asserted equal to reading every line by the line path), and the lines it left."""
    table, rest = block_table(lines, "f.log", LIMIT, ARROW, CONTRACT_KEY_SET)
    taken = [] if table is None else [tuple(row.values()) for row in table.to_pylist()]
    assert set(rest) <= set(lines) and rest == [line for line in lines if line in rest]
    assert sorted({number for *_, number in taken} | {n for n, _ in rest}) == [n for n, _ in lines]
    rows = sorted(taken + by_line(rest), key=lambda row: row[-1])
    assert rows == by_line(lines)
    return taken, rest


def test_no_whitespace_lies_beyond_the_characters_the_columnar_path_leaves_to_the_line_path():
    beyond = [code for code in range(0x3001, sys.maxunicode + 1) if chr(code).isspace()]
    assert beyond == []
    assert {"\r", "\n", "\x0b", "\x0c", "\x85", "\xa0", "\u2028", "\u3000"} <= set(OTHER_SPACE)


def test_a_plain_block_is_read_whole_by_the_columnar_path() -> None:
    lines = [
        b"ts=2026-11-20T08:14:03.120+01:00 level=INFO event=call_closed call_id=C-1 Caller=x",
        b'ts=2026-11-20T07:14:03Z\tlevel=WARN  event=hold notes="on hold, \xf0\x9f\x98\xa1 = bad"',
        b"ts=2026-11-20T08:14:04.5+01:00 level=INFO event=call_closed call_id=C-2 Caller=y\r",
        b"ts=2026-11-20T08:14:05+01:00 level=INFO event=heartbeat debug notes=",
    ]
    taken, rest = both_ways(list(enumerate(lines, start=1)))
    assert rest == [] and len(taken) == 4


def test_lines_it_cannot_vouch_for_are_left_to_the_line_path() -> None:
    good = b"ts=2026-11-20T08:14:03+01:00 level=INFO event=x"
    odd = [
        b'ts=2026-11-20T08:14:03+01:00 notes="a\\"b"',  # an escape
        b"ts=2026-11-20T08:14:03+01:00 notes=a\xc2\xa0b",  # a no-break space
        b"ts=2026-02-31T08:14:03+01:00 level=INFO event=x",  # no such day
        b"ts=2026-11-20T08:14:03+01:00 level=INFO level=WARN",  # a key twice
        b"ts=2026-11-20T08:14:03+01:00 notes=\xff",  # not UTF-8
        b"level=INFO event=x",  # no ts
        b"ts=2026-11-20T08:14:03+01:00 notes=" + b"x" * LIMIT,  # too long
    ]
    lines = list(enumerate([good, *odd, good], start=1))
    taken, rest = both_ways(lines)
    assert [number for *_, number in taken] == [1, 9] and rest == lines[1:-1]


KEY = st.sampled_from(["level", "event", "call_id", "notes", "queue_depth", "Caller", "_dlt_id"])
BARE = st.text(alphabet=st.sampled_from(list("ab=é😡'\\\"\xa0-:")), max_size=5)
QUOTED = st.text(alphabet=st.sampled_from(list("ab =\t\\é😡'\xa0")), max_size=5).map(
    lambda text: f'"{text}"'
)
VALUE = st.sampled_from(["", "="]) | BARE.map("={}".format) | QUOTED.map("={}".format)
TS = st.sampled_from(
    [
        "2026-11-20T08:14:03+01:00",
        "2026-11-20T07:14:03.5Z",
        "2026-11-20T07:14:03.123456-05:30",
        "2026-02-31T08:14:03+01:00",
        "2026-11-20T24:00:00Z",
        "2026-11-20T08:14:03",
        "yesterday",
        '"2026-11-20T08:14:03+01:00"',
    ]
)
GAP = st.sampled_from([" ", "\t", "  ", " \t"])
LINE = st.builds(
    lambda ts, pairs, gaps, lead, trail, cr: (
        lead
        + "ts="
        + ts
        + "".join(gap + key + value for gap, (key, value) in zip(gaps, pairs, strict=False))
        + trail
        + cr
    ),
    TS,
    st.lists(st.tuples(KEY, VALUE), max_size=5),
    st.lists(GAP, min_size=5, max_size=5),
    st.sampled_from(["", " ", "\t"]),
    st.sampled_from(["", " "]),
    st.sampled_from(["", "\r"]),
).map(str.encode)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(LINE | st.text(max_size=12).map(str.encode), max_size=12))
def test_the_columnar_path_reads_every_line_it_takes_as_the_line_path_does(
    lines: list[bytes],
) -> None:
    both_ways(list(enumerate(lines, start=1)))


def test_a_block_of_more_layouts_than_its_limit_leaves_the_rest_to_the_line_path() -> None:
    layouts = [f"ts=2026-11-20T08:14:03+01:00 key{index}=x" for index in range(MAX_LAYOUTS + 4)]
    lines = list(enumerate([layout.encode() for layout in layouts * 2], start=1))
    taken, rest = both_ways(lines)
    assert len(taken) == 2 * MAX_LAYOUTS
    assert [line.split(b" ")[1] for _, line in rest] == [
        b"key%d=x" % n for n in range(MAX_LAYOUTS, MAX_LAYOUTS + 4)
    ] * 2
