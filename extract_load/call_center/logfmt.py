"""logfmt, read the way the telephony platform writes it (and go-logfmt reads it).

A line is space-separated pairs. A key is any run of characters other than space, `=` and `"`;
a bare key means true. A value is either quoted, `"..."` with Go string escapes (`\\"`, `\\\\`,
`\\n`, `\\t`, `\\uXXXX`, ...), or bare: any run of non-space characters, apostrophes included
(`caller=don't`). One pass over the line, so the time grows with its length, never faster.

A well-formed line is checked and split by two regular expressions (the regex engine does the
work, not a Python loop per pair); only a line they refuse is walked pair by pair, to say where
it goes wrong.
"""

from __future__ import annotations

import re

KEY = re.compile(r"[^\s=\"]+")
BARE_VALUE = re.compile(r"[^\s]*")
# A quoted value, unrolled so that no character is looked at twice.
QUOTED_VALUE = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"', re.DOTALL)
SPACE = re.compile(r"[ \t]*")
ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)", re.DOTALL)
SIMPLE_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    '"': '"',
    "'": "'",
}


_PAIR = r'[^\s="]+(?:=(?:"[^"\\]*(?:\\.[^"\\]*)*"|(?:[^\s"]\S*)?))?'
WELL_FORMED = re.compile(rf"[ \t]*(?:{_PAIR}(?:[ \t]+{_PAIR})*)?[ \t]*", re.DOTALL)
# (key, "=" when there is a value, quoted value, bare value) of each pair of a well-formed line
PAIRS = re.compile(r'([^\s="]+)(?:(=)(?:"([^"\\]*(?:\\.[^"\\]*)*)"|(\S*)))?', re.DOTALL)


class LogfmtError(ValueError):
    """The line is not logfmt; the message says where and why."""


def parse_logfmt(line: str) -> dict[str, str]:
    """The pairs of one line; a key that appears twice keeps its last value."""
    if WELL_FORMED.fullmatch(line) is None:
        return _walk(line)  # raises LogfmtError, saying where
    return {
        key: (_unescape(quoted) if quoted else bare) if equals else "true"
        for key, equals, quoted, bare in PAIRS.findall(line)
    }


def _walk(line: str) -> dict[str, str]:
    """The pairs of one line, pair by pair; LogfmtError at the first thing that is not logfmt."""
    fields: dict[str, str] = {}
    position, end = 0, len(line)
    while True:
        position = SPACE.match(line, position).end()
        if position >= end:
            return fields
        key = KEY.match(line, position)
        if key is None:
            raise LogfmtError(f"expected a key at column {position + 1}")
        position = key.end()
        if position < end and line[position] == "=":
            position += 1
            if position < end and line[position] == '"':
                quoted = QUOTED_VALUE.match(line, position)
                if quoted is None:
                    raise LogfmtError(f"unterminated quoted value at column {position + 1}")
                value = _unescape(quoted.group(1))
                position = quoted.end()
            else:
                bare = BARE_VALUE.match(line, position)
                value, position = bare.group(), bare.end()
        else:
            value = "true"
        if position < end and not line[position].isspace():
            raise LogfmtError(f"unexpected {line[position]!r} at column {position + 1}")
        fields[key.group()] = value


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return ESCAPE.sub(_escape_value, text)


def _escape_value(match: re.Match[str]) -> str:
    code = match.group(1)
    if code in SIMPLE_ESCAPES:
        return SIMPLE_ESCAPES[code]
    if code[0] in "xuU" and len(code) > 1:
        return chr(int(code[1:], 16))
    if len(code) == 3 and code.isdigit():
        return chr(int(code, 8))
    return "\\" + code  # not an escape Go knows: keep it as written
