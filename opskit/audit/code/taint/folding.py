"""Constant folding: the value of an operation over known constants, so dead branches are not run."""

from __future__ import annotations

from typing import Any

from opskit.audit.code.syntax import UNKNOWN
from opskit.audit.code.taint.values import same


def truthy(value: Any) -> bool:
    return bool(value)


def fold(op: str, a: Any, b: Any) -> Any:
    """Fold a binary operation over two constants (comparisons, boolean and string operators)."""
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    try:
        if op in ("==", "==="):
            return same(a, b) or (a == b and not isinstance(a, bool))
        if op in ("!=", "!=="):
            return a != b
        if op in ("and", "&&"):
            return a and b
        if op in ("or", "||"):
            return a or b
        if op == "+" and type(a) is type(b) and isinstance(a, (str, int)):
            return a + b
        if op in ("is", "is not"):
            return (a is b) == (op == "is")
    except TypeError:
        return UNKNOWN
    return UNKNOWN
