"""`submitted_at` of the website form's exports: the CMS wrote it in three formats over its
versions (`20/11/2026 08:14` and `2026-11-20 08:14:03` are Lagos wall time,
`2026-11-20T07:14:03Z` is UTC). A value is read alone (`parse_cms_timestamp`), or a column at
once (`cms_instants`), which gives the very same instants.
"""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import UTC, datetime, timedelta, timezone

import pyarrow as pa
import pyarrow.compute as pc

from extract_load.bulk import INSTANT

LAGOS = timezone(timedelta(hours=1))  # West Africa Time, no daylight saving
CMS_FORMATS = (  # (format, zone of a naive value, its usual spelling: two digits a field)
    ("%d/%m/%Y %H:%M", LAGOS, r"(?P<d>\d\d)/(?P<m>\d\d)/(?P<Y>\d{4}) (?P<H>\d\d):(?P<M>\d\d)"),
    (
        "%Y-%m-%d %H:%M:%S",
        LAGOS,
        r"(?P<Y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d) (?P<H>\d\d):(?P<M>\d\d):(?P<S>\d\d)",
    ),
    (
        "%Y-%m-%dT%H:%M:%SZ",
        UTC,
        r"(?P<Y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)T(?P<H>\d\d):(?P<M>\d\d):(?P<S>\d\d)Z",
    ),
)  # v1, v2, v3
USUAL_SPELLINGS = [re.compile(spelling, re.ASCII) for *_, spelling in CMS_FORMATS]


def parse_cms_timestamp(value: str) -> datetime:
    """`submitted_at` in any of the CMS's formats, as an aware instant; ValueError otherwise."""
    text = value.strip()
    # the formats' separators tell them apart, so at most one can read a value
    likely = 0 if "/" in text else 2 if "T" in text else 1
    if usual := USUAL_SPELLINGS[likely].fullmatch(text):  # read without strptime's cost
        with suppress(ValueError):  # no such day: strptime says so, below
            parts = {field: int(number) for field, number in usual.groupdict().items()}
            return datetime(
                *(parts.get(field, 0) for field in "YmdHMS"), tzinfo=CMS_FORMATS[likely][1]
            )
    for pattern, zone, _ in CMS_FORMATS:  # an unusual spelling (single digits), or none
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=zone)
        except ValueError:
            continue
    raise ValueError(f"submitted_at {value[:40]!r} is in none of the CMS's formats")


def cms_instants(texts: pa.StringArray) -> pa.Array:
    """`texts` as UTC instants, as `parse_cms_timestamp` reads each; ValueError as it raises.

    Arrow reads the usual spellings; a reading is kept only where writing it back gives the
    same text (Arrow takes 31/02 for 3 March, and its `%d` would take one digit). Any other
    value is read by `parse_cms_timestamp`."""
    instants = pa.nulls(len(texts), INSTANT)
    for pattern, zone, spelling in CMS_FORMATS:
        wall = pc.strptime(texts, format=pattern, unit="s", error_is_null=True)
        usual = pc.and_(
            pc.match_substring_regex(texts, pattern=f"^{spelling}$"),  # RE2 reads (?P<d>...)
            pc.equal(pc.strftime(wall, format=pattern), texts),
        )
        instant = pc.subtract(wall.cast(pa.timestamp("us")), zone.utcoffset(None)).cast(INSTANT)
        instants = pc.if_else(pc.fill_null(usual, False), instant, instants)
    unread = pc.indices_nonzero(pc.is_null(instants)).to_pylist()
    if not unread:
        return instants
    values = instants.to_pylist()
    for index in unread:
        values[index] = parse_cms_timestamp(texts[index].as_py())
    return pa.array(values, INSTANT)
