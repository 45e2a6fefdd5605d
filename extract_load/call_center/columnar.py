"""The columnar path of a log file: a block of lines read one key layout at a time with Arrow's
regular expressions (RE2) and byte arithmetic on Arrow's buffers (numpy), at a few microseconds
a line where the line path takes about twenty.

A layout is the sequence of keys of a line (`ts level site event queue_depth`); the lines of a
file share a handful. The first line not yet read gives a layout, one anchored expression
finds every line of that layout, a tokenizer cuts their values out of the buffer all at once,
and so on, at most `MAX_LAYOUTS` times a block. It only takes lines it can vouch for, and then
gives the very rows the line path (`parse_values`) would: within the size limit, UTF-8, no
backslash (so no escape to spell out) and no NUL, no whitespace but spaces and tabs (where
Python's `\\s` and RE2's differ), no key twice, and a `ts` that Arrow reads as the ISO 8601
instant Python reads. Every other line goes back to the caller, for the line path to read or
quarantine, with its reason.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from extract_load.bulk import INSTANT
from extract_load.call_center.logfmt import PAIRS, WELL_FORMED

Line = tuple[int, bytes]  # (line number, the line without its newline)
MAX_LAYOUTS = 16  # expressions tried a block; what is still unread then takes the line path
# Python's \s beyond space and tab (none lies above U+3000: test_call_center_columnar checks)
OTHER_SPACE = [
    chr(code) for code in range(0x3001) if chr(code).isspace() and chr(code) not in " \t"
]
LINE_PATH_ONLY = "[\\\\\\x{0}" + "".join(f"\\x{{{ord(char):x}}}" for char in OTHER_SPACE) + "]"
# the spellings of `ts` left to Arrow: `2026-11-20T09:14:03.123+01:00`, `...:03Z`
ISO_INSTANT = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)"
# a value of the layout: quoted, or bare without a quote in it (so that every quote of a line
# opens or closes a quoted value, which is what lets the tokenizer count them)
VALUE = r'(?:=(?:"[^"]*"|[^\s"]*))?'
SPACE, TAB, QUOTE = b' \t"'


def block_table(
    lines: Sequence[Line], origin: str, max_bytes: int, schema: pa.Schema, contract: frozenset[str]
) -> tuple[pa.Table | None, list[Line]]:
    """The raw rows (of `schema`, as `parse_values` fills it) of the lines this path can vouch
    for, and the lines it leaves to the line path, in their order. `contract` is the keys that
    are columns; any other goes to `extra_fields`."""
    texts = _plain_texts(lines, max_bytes)
    pending = pc.indices_nonzero(pc.is_valid(texts))
    plain = pc.invert(pc.match_substring_regex(texts.take(pending), LINE_PATH_ONLY))
    pending = pc.filter(pending, plain)
    numbers = pa.array([number for number, _ in lines], pa.int64())
    tables, taken = [], []
    for _ in range(MAX_LAYOUTS):
        if not len(pending):
            break
        keys = _layout(texts[pending[0].as_py()].as_py())
        matched = pc.match_substring_regex(texts.take(pending), _pattern(keys)) if keys else None
        if matched is None or not matched[0].as_py():
            pending = pending[1:]  # a line of a layout this path cannot read
            continue
        rows = pc.filter(pending, matched)
        pending = pc.filter(pending, pc.invert(matched))
        table, readable = _layout_table(
            keys, texts.take(rows), numbers.take(rows), origin, schema, contract
        )
        tables.append(table)
        taken.append(rows if readable is None else pc.filter(rows, readable))
    read = set(pa.chunked_array(taken, pa.uint64()).to_pylist()) if taken else set()
    rest = [line for index, line in enumerate(lines) if index not in read]
    return (pa.concat_tables(tables) if tables else None), rest


def _plain_texts(lines: Sequence[Line], max_bytes: int) -> pa.StringArray:
    """The lines as text without a CR that ends them (as the line path reads them); null where
    one is too long or not UTF-8."""
    texts = [raw.removesuffix(b"\r") if len(raw) <= max_bytes else None for _, raw in lines]
    try:
        return pa.array(texts, pa.binary()).cast(pa.string())
    except pa.ArrowInvalid:  # not UTF-8 somewhere: find which
        return pa.array([_decoded(raw) for raw in texts], pa.string())


def _decoded(raw: bytes | None) -> str | None:
    try:
        return None if raw is None else raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _layout(text: str) -> tuple[str, ...] | None:
    """The keys of a line in their order; None when it is not logfmt, holds a key twice or has
    no `ts`."""
    if WELL_FORMED.fullmatch(text) is None:
        return None
    keys = tuple(key for key, *_ in PAIRS.findall(text))
    if len(set(keys)) < len(keys) or "ts" not in keys:
        return None
    return keys


def _pattern(keys: tuple[str, ...]) -> str:
    """An anchored RE2 expression for the lines of this layout; `ts` must be an ISO instant."""
    pairs = [rf"\Q{key}\E" + (f"={ISO_INSTANT}" if key == "ts" else VALUE) for key in keys]
    return r"^[ \t]*" + r"[ \t]+".join(pairs) + r"[ \t]*$"


def _layout_table(
    keys: tuple[str, ...],
    texts: pa.StringArray,
    numbers: pa.Int64Array,
    origin: str,
    schema: pa.Schema,
    contract: frozenset[str],
) -> tuple[pa.Table, pa.BooleanArray | None]:
    """The rows of the lines of one layout whose `ts` Arrow reads, and which those are (None:
    all); a `ts` of no such day or hour is left to the line path, which says what is wrong."""
    values = dict(zip(keys, _values(texts, keys), strict=True))
    try:
        instants, readable = values["ts"].cast(INSTANT), None
    except pa.ArrowInvalid:
        readable = pa.array(_readable(values["ts"]))
        values = {key: column.filter(readable) for key, column in values.items()}
        numbers = numbers.filter(readable)
        instants = values["ts"].cast(INSTANT)
    count = len(numbers)
    missing = pa.nulls(count, pa.string())
    call_id, event = values.get("call_id", missing), values.get("event", pa.repeat("None", count))
    line_keys = pc.binary_join_element_wise(origin, numbers.cast(pa.string()), ":")
    event_keys = pc.if_else(
        pc.fill_null(pc.not_equal(call_id, ""), False),
        pc.binary_join_element_wise(call_id, event, ":"),
        line_keys,
    )
    columns = {
        "ts": instants,
        "event_key": event_keys,
        "ts_text": values["ts"],
        "extra_fields": _extra_fields([key for key in keys if key not in contract], values, count),
        "source_file": pa.repeat(pa.scalar(origin, pa.string()), count),
        "line_number": numbers,
    }
    arrays = [columns.get(name, values.get(name, missing)) for name in schema.names]
    return pa.Table.from_arrays(arrays, schema=schema), readable


def _readable(stamps: pa.StringArray) -> list[bool]:
    """Which instants Arrow can read, found by halving: a few casts for a few bad ones."""
    try:
        stamps.cast(INSTANT)
    except pa.ArrowInvalid:
        if len(stamps) == 1:
            return [False]
        half = len(stamps) // 2
        return _readable(stamps[:half]) + _readable(stamps[half:])
    return [True] * len(stamps)


def _values(texts: pa.StringArray, keys: tuple[str, ...]) -> list[pa.StringArray]:
    """The value of every key, of lines that all match the layout `keys`: a line's tokens are
    the runs of bytes between spaces and tabs outside quotes (a byte is inside them when an odd
    number of quotes precede it on its line), its i-th token is `key[i]`, `key[i]=` and a bare
    or quoted value, or `key[i]` alone (true)."""
    _, offsets, data = texts.buffers()
    bounds = np.frombuffer(offsets, np.int32)[texts.offset : texts.offset + len(texts) + 1]
    text = np.frombuffer(data, np.uint8)[bounds[0] : bounds[-1]]
    bounds = bounds - bounds[0]
    gap = (text == SPACE) | (text == TAB)
    blanks, quotes = np.flatnonzero(gap), np.flatnonzero(text == QUOTE)
    # a line holds its quotes paired, so an odd count before a blank puts it inside quotes
    gap[blanks[np.searchsorted(quotes, blanks) % 2 == 1]] = False
    edge = np.zeros(len(text) + 1, bool)  # True where a line starts or ends
    edge[bounds] = True
    starts = np.flatnonzero(~gap & (edge[:-1] | np.r_[True, gap[:-1]]))
    ends = np.flatnonzero(~gap & (edge[1:] | np.r_[gap[1:], True])) + 1
    starts, ends = starts.reshape(len(texts), len(keys)), ends.reshape(len(texts), len(keys))
    columns = []
    for index, key in enumerate(keys):
        start, end = starts[:, index] + len(key.encode()) + 1, ends[:, index]
        given = end >= start  # `key=...`, not `key` alone
        quoted = given & (end > start) & (text[np.minimum(start, len(text) - 1)] == QUOTE)
        start, end = start + quoted, np.where(given, end - quoted, start)
        column = _slices(text, start, end)
        columns.append(column if given.all() else pc.if_else(pa.array(given), column, "true"))
    return columns


def _slices(text: np.ndarray, start: np.ndarray, end: np.ndarray) -> pa.StringArray:
    """The text from each start to its end, as one string array (UTF-8 is cut only at ASCII
    bytes, so each slice stays UTF-8)."""
    lengths = end - start
    offsets = np.zeros(len(start) + 1, np.int32)
    np.cumsum(lengths, out=offsets[1:])
    picked = np.repeat(start - offsets[:-1], lengths) + np.arange(offsets[-1])
    return pa.StringArray.from_buffers(
        len(start), pa.py_buffer(offsets), pa.py_buffer(text[picked])
    )


def _extra_fields(extra: list[str], values: dict[str, pa.Array], count: int) -> pa.Array:
    """The values of the keys the contract does not name, as JSON text (as the line path
    writes it)."""
    if not extra:
        return pa.nulls(count, pa.string())
    columns = [values[key].to_pylist() for key in extra]
    return pa.array(
        [
            json.dumps(dict(zip(extra, row, strict=True)), ensure_ascii=False)
            for row in zip(*columns, strict=True)
        ],
        pa.string(),
    )
