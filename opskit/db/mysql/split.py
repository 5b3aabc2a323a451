"""SQL scripts cut into statements by sqlparse, for the scripts PostgreSQL's scanner cannot cut."""

from __future__ import annotations

import re
from collections.abc import Iterator

import sqlparse

_LEADING_COMMENTS = re.compile(r"(?:\s*(?:--[^\n]*(?:\n|$)|/\*.*?\*/))*\s*", re.S)


def split_statements(text: str) -> Iterator[tuple[int, str]]:
    """Each statement of a SQL script (leading comments dropped) with the line it starts on.

    Lines are counted incrementally, so a script of many statements stays linear.
    """
    at, line, counted = 0, 1, 0
    for raw in sqlparse.split(text, strip_semicolon=True):
        found = text.find(raw, at)
        lead = _LEADING_COMMENTS.match(raw)
        skipped = lead.end() if lead else 0
        body = raw[skipped:].strip()
        start = max(counted, (found if found >= 0 else at) + skipped)
        if found >= 0:
            at = found + len(raw)
        if body:
            line += text.count("\n", counted, start)
            counted = start
            yield line, body
