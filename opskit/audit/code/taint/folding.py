"""Constant folding: the value of an operation over known constants, so dead branches are not run
(``if 7 * 42 - 86 > 200:``, ``"ABC"[1]``, ``"abc".upper()``)."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from opskit.audit.code.syntax import UNKNOWN
from opskit.audit.code.taint.values import same

MAX_FOLDED = 10_000  # longer strings and larger numbers are not folded (bounded work)
_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "//": operator.floordiv,
    "%": operator.mod, "<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge,
    "&": operator.and_, "|": operator.or_, "^": operator.xor,
}
# Methods of str whose result on constant arguments is a constant.
STRING_METHODS = frozenset({
    "lower", "upper", "strip", "lstrip", "rstrip", "replace", "startswith", "endswith", "split", "rsplit",
    "capitalize", "title", "casefold", "swapcase", "find", "rfind", "count", "isdigit", "isalpha", "isalnum",
    "zfill", "center", "ljust", "rjust", "removeprefix", "removesuffix", "format", "join", "partition",
    "toLowerCase", "toUpperCase", "trim", "charAt", "substring", "indexOf", "includes", "startsWith", "endsWith",
})
_JS_METHODS = {"toLowerCase": "lower", "toUpperCase": "upper", "trim": "strip", "startsWith": "startswith",
               "endsWith": "endswith", "indexOf": "find"}


def truthy(value: Any) -> bool:
    return bool(value)


def _small(value: Any) -> bool:
    if isinstance(value, (str, tuple)):
        return len(value) <= MAX_FOLDED
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) < 10 ** 18
    return True


def fold(op: str, a: Any, b: Any) -> Any:
    """Fold a binary operation over two constants (arithmetic, comparisons, boolean and string operators)."""
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
        if op in ("is", "is not"):
            return (a is b) == (op == "is")
        if op in ("in", "not in") and isinstance(b, (str, tuple)):
            return (a in b) == (op == "in")
        if op == "+" and isinstance(a, str) != isinstance(b, str):
            return UNKNOWN  # JS "a" + 1 coerces; Python raises: neither is worth folding
        if op == "*" and (isinstance(a, str) or isinstance(b, str)):
            return UNKNOWN  # "x" * n
        if op == "**":
            return a ** b if isinstance(b, int) and 0 <= b <= 64 and isinstance(a, (int, float)) else UNKNOWN
        function = _ARITHMETIC.get(op)
        if function is None or isinstance(a, bool) or isinstance(b, bool):
            return UNKNOWN
        result = function(a, b)
        return result if _small(result) else UNKNOWN
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return UNKNOWN


def fold_unary(op: str, a: Any) -> Any:
    """``-x``, ``+x``, ``~x``, ``not x``/``!x`` over a constant."""
    if a is UNKNOWN:
        return UNKNOWN
    try:
        if op in ("not", "!"):
            return not truthy(a)
        if isinstance(a, bool) or not isinstance(a, (int, float)):
            return UNKNOWN
        if op == "-":
            return -a
        if op == "+":
            return a
        if op == "~" and isinstance(a, int):
            return ~a
    except TypeError:
        return UNKNOWN
    return UNKNOWN


def fold_item(container: Any, key: Any) -> Any:
    """``"ABC"[1]``, ``(1, 2)[-1]``, ``"abc"[1:]`` over constants."""
    if not isinstance(container, (str, tuple)) or key is UNKNOWN:
        return UNKNOWN
    try:
        if isinstance(key, slice) or (isinstance(key, int) and not isinstance(key, bool)):
            return container[key]
    except (IndexError, TypeError, ValueError):
        return UNKNOWN
    return UNKNOWN


def fold_method(receiver: Any, method: str, args: list[Any]) -> Any:
    """A string method called on a constant with constant arguments."""
    if not isinstance(receiver, str) or method not in STRING_METHODS or any(a is UNKNOWN for a in args):
        return UNKNOWN
    if method == "charAt":
        return fold_item(receiver, args[0]) if args else UNKNOWN
    if method == "substring":
        return receiver[slice(*args)] if all(isinstance(a, int) for a in args) else UNKNOWN
    if method == "includes":
        method = "__contains__"
    try:
        result = getattr(receiver, _JS_METHODS.get(method, method))(*args)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError):
        return UNKNOWN
    if isinstance(result, list):
        result = tuple(result)
    return result if _small(result) else UNKNOWN
