"""Driver placeholders as PostgreSQL's own ``$n`` parameters, found with PostgreSQL's scanner.

Application logs (Django's and SQLAlchemy's debug output, Hibernate's ``show_sql``, normalised
texts of old pg_stat_statements, MyBatis, JDBC named parameters, EF Core) carry ``%s``, ``%(name)s``,
``?``, ``:name`` and ``@name`` where the server would see ``$1``; the grammar refuses them. The
scanner skips strings and comments, so ``'%smith%'`` and a sqlcommenter tag stay as written; a ``?``
right after a value is jsonb's key operator, a ``:`` after one an array slice.
"""

from __future__ import annotations

import re
from typing import Any

import pglast
from pglast.parser import scan

from opskit.db.bounds import MAX_LENGTH

_MAX_PARAM = re.compile(r"\$(\d+)")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PREFIX_OPS = {"=", "<", ">", "<=", ">=", "<>", "!=", "+", "-", "*", "/"}  # ``=?`` scans as one operator
_BEFORE_VALUE = {  # tokens a value follows: after them ``?`` is a placeholder, not jsonb's operator
    "ASCII_40", "ASCII_44", "ASCII_91", "ASCII_61", "ASCII_60", "ASCII_62", "ASCII_43", "ASCII_45",
    "ASCII_42", "ASCII_47", "Op", "LESS_EQUALS", "GREATER_EQUALS", "NOT_EQUALS", "AND", "OR", "NOT",
    "IN_P", "LIKE", "ILIKE", "BETWEEN", "LIMIT", "OFFSET", "FIRST_P", "NEXT", "WHEN", "THEN", "ELSE",
    "SELECT", "VALUES", "SET", "WHERE", "ON", "RETURNING", "IS", "ANY", "ALL", "SIMILAR", "TO", "FETCH",
}  # fmt: skip


def number_placeholders(sql: str) -> str:
    """``sql`` with ``%s``, ``%(name)s``, ``:name``, ``@name`` and placeholder ``?`` as ``$n``
    (one number per name)."""
    if not any(mark in sql for mark in "?%:@") or len(sql) > MAX_LENGTH:  # too long: the guard refuses it later
        return sql
    try:
        tokens = scan(sql)
    except (pglast.parser.ParseError, UnicodeEncodeError):
        return sql
    taken = max((int(n) for n in _MAX_PARAM.findall(sql)), default=0)
    names: dict[str, int] = {}
    cuts: list[tuple[int, int, int]] = []  # (start, end exclusive, number)
    i = 0
    while i < len(tokens):
        found = _placeholder(sql, tokens, i)
        if found is None:
            i += 1
            continue
        start, end, name, used = found
        if name is None or name not in names:
            taken += 1
            if name is not None:
                names[name] = taken
        cuts.append((start, end, names[name] if name is not None else taken))
        i += used
    if not cuts:
        return sql
    out, at = [], 0
    for start, end, number in cuts:
        out += [sql[at:start], f"${number}"]
        at = end
    return "".join([*out, sql[at:]])


def _placeholder(sql: str, tokens: Any, i: int) -> tuple[int, int, str | None, int] | None:
    """The placeholder starting at token ``i``: (start, end, name, tokens used), or None."""
    token = tokens[i]
    text = sql[token.start : token.end + 1]
    glued = token.name == "Op" and text[:-1] in _PREFIX_OPS  # ``=?``, ``=%s``: one operator token
    at = token.end if glued else token.start
    mark = sql[at : token.end + 1]
    before = tokens[i - 1].name if i else "SELECT"
    if mark == "?":
        return (at, at + 1, None, 1) if glued or before in _BEFORE_VALUE else None
    if mark in (":", "@"):  # JDBC/Oracle-style ``:name``; EF Core's and ADO.NET's ``@p0``, ``@__name_0``
        word = tokens[i + 1] if i + 1 < len(tokens) else None
        after_value = not glued and (before not in _BEFORE_VALUE or (mark == ":" and before == "ASCII_91"))
        if word is None or after_value or not _adjacent(token, [word]) or not _WORD.fullmatch(_text(sql, word)):
            return None  # a slice bound ``a[1:n]``, the prefix operator ``@ x``
        return at, word.end + 1, mark + _text(sql, word), 2
    if mark != "%":
        return None
    rest = list(tokens[i + 1 : i + 5])
    if _adjacent(token, rest[:1]) and _is(sql, rest[0], "s"):
        return at, rest[0].end + 1, None, 2
    named = len(rest) == 4 and [t.name for t in rest[::2]] == ["ASCII_40", "ASCII_41"]
    if named and _adjacent(token, rest) and _is(sql, rest[3], "s"):
        return at, rest[3].end + 1, sql[rest[1].start : rest[1].end + 1], 5
    return None


def _adjacent(first: Any, following: list[Any]) -> bool:
    """The tokens follow each other with nothing between them."""
    end = first.end
    for token in following:
        if token.start != end + 1:
            return False
        end = token.end
    return bool(following)


def _text(sql: str, token: Any) -> str:
    return sql[token.start : token.end + 1]


def _is(sql: str, token: Any, text: str) -> bool:
    return _text(sql, token) == text
