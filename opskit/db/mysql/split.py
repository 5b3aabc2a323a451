"""SQL scripts cut into statements by sqlparse, for the scripts PostgreSQL's scanner cannot cut."""

from __future__ import annotations

import sqlparse


def script_slices(text: str) -> list[slice]:
    """Where each statement of a script lies (sqlparse returns the statements' text: each is
    found again in ``text``, searching onwards, so a script of many statements stays linear)."""
    out, at = [], 0
    for raw in sqlparse.split(text, strip_semicolon=True):
        found = text.find(raw, at)
        start = found if found >= 0 else at
        out.append(slice(start, start + len(raw)))
        if found >= 0:
            at = found + len(raw)
    return out
