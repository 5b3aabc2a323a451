"""What the analysis knows about a value, and how values combine (joins and merges at control-flow joins)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from opskit.audit.code.syntax import UNKNOWN


@dataclass(frozen=True)
class Origin:
    """Where untrusted data entered: the source expression, its kind and line, and CWEs it was cleaned for."""

    source: str
    kind: str
    line: int
    cleared: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Value:
    """What the analysis knows about a value."""

    origins: frozenset[Origin] = frozenset()
    const: Any = UNKNOWN
    fields: Mapping[str, Value] | None = field(default=None, compare=False)  # literal dict/list items
    sequence: bool = False  # a list/array literal (an argument vector)
    flags: frozenset[str] = frozenset()

    def tainted_for(self, cwe: int) -> list[Origin]:
        return [o for o in self.origins if cwe not in o.cleared]


CLEAN = Value()
Env = dict[str, Value]


def join(values: Iterable[Value]) -> Value:
    """The value of an expression built from ``values`` (concatenation, formatting, a call)."""
    values = list(values)
    if not values:
        return CLEAN
    if len(values) == 1:
        only = values[0]
        return Value(only.origins, only.const, flags=only.flags)
    origins: frozenset[Origin] = frozenset().union(*(v.origins for v in values))
    flags: frozenset[str] = frozenset().union(*(v.flags for v in values))
    return Value(origins, flags=flags)


def merge(a: Value | None, b: Value | None) -> Value:
    """Either of two values (after an if/else): union of origins, the constant only if both agree."""
    if a is None or b is None:
        known = a or b or CLEAN
        return replace(known, const=UNKNOWN, fields=None)
    if a == b and a.fields is b.fields:
        return a
    const = a.const if (a.const is not UNKNOWN and same(a.const, b.const)) else UNKNOWN
    return Value(a.origins | b.origins, const, flags=a.flags | b.flags, sequence=a.sequence and b.sequence)


def same(x: Any, y: Any) -> bool:
    return type(x) is type(y) and x == y


def sanitized(value: Value, cwes: frozenset[int]) -> Value:
    """``value`` after a sanitizer: clean for ``cwes`` (for everything when empty)."""
    if not cwes:
        return Value(const=value.const)
    return replace(value, origins=frozenset(replace(o, cleared=o.cleared | cwes) for o in value.origins))


def tainted(value: Value) -> Value:
    """Only the taint of ``value`` (its origins and flags), no constant or items: an element or slice of it."""
    return Value(value.origins, flags=value.flags)


def hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
