"""Bounds on one SQL statement, checked in one linear pass before any parser sees it.

libpg_query crashes on left-deep operator chains of ~40k terms and sqlparse spends tens of
seconds on a thousand nested parentheses; real statements stay far below these limits.
"""

from __future__ import annotations

from opskit.db.interface import UnparseableQuery

MAX_LENGTH = 1 << 20  # characters of one statement
MAX_NESTING = 100  # parentheses; real queries nest a handful
MAX_OPERATORS = 10_000  # operator characters (left-deep chains become deep parse trees)


def guard(sql: str) -> None:
    """Refuse what would make a parser or the walk over its tree blow up, with a one-line reason."""
    if len(sql) > MAX_LENGTH:
        raise UnparseableQuery(f"statement longer than {MAX_LENGTH} bytes")
    depth = deepest = operators = 0
    quote = ""
    for ch in sql:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth -= 1
        elif ch in "+-*/%^|<>=:":
            operators += 1
    if deepest > MAX_NESTING:
        raise UnparseableQuery(f"parentheses nested deeper than {MAX_NESTING}")
    if operators > MAX_OPERATORS:
        raise UnparseableQuery(f"more than {MAX_OPERATORS} operators")
