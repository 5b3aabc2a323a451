"""What the analysis knows about a value, and how values combine (joins and merges at control-flow joins)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from opskit.audit.code.syntax import UNKNOWN

MAX_STEPS = 8  # flow steps kept per origin (the first ones: where the data went after its source)


@dataclass(frozen=True)
class Step:
    """One place on a flow's path: a file, a line and column, and what happens there."""

    path: str
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class Origin:
    """Where untrusted data entered: the source expression, its kind and place, the CWEs it was cleaned
    for, and the steps it took since. ``param`` names a parameter placeholder in a function summary
    ("0", "1", "self.name"): not input yet, but whatever a caller passes there."""

    source: str
    kind: str
    line: int
    cleared: frozenset[int] = frozenset()
    path: str = ""
    column: int = 0
    param: str = ""
    steps: tuple[Step, ...] = ()

    def then(self, step: Step) -> Origin:
        """This origin after one more step on its path."""
        return self if len(self.steps) >= MAX_STEPS else replace(self, steps=(*self.steps, step))


def first_origin(origins: Iterable[Origin]) -> Origin:
    """The origin a finding names: the earliest, ties broken on every field (never set order)."""
    return min(origins, key=lambda o: (o.line, o.source, o.kind, sorted(o.cleared), o.path, o.column, o.param,
                                       [(s.path, s.line, s.column, s.message) for s in o.steps]))


@dataclass(frozen=True)
class Value:
    """What the analysis knows about a value."""

    origins: frozenset[Origin] = frozenset()
    const: Any = UNKNOWN
    fields: Mapping[str, Value] | None = field(default=None, compare=False)  # literal dict/list items
    sequence: bool = False  # a list/array literal (an argument vector)
    flags: frozenset[str] = frozenset()
    alias: str | None = None  # the module object this value is (``flask.request`` passed around)
    cls: Any = field(default=None, compare=False)  # an instance of this class (a ``ClassRef``)

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
    return Value(a.origins | b.origins, const, flags=a.flags | b.flags, sequence=a.sequence and b.sequence,
                 alias=a.alias if a.alias == b.alias else None, cls=a.cls if a.cls is b.cls else None,
                 fields=_merge_fields(a, b))


def _merge_fields(a: Value, b: Value) -> Mapping[str, Value] | None:
    """The attributes of either of two instances of one class (each attribute merged)."""
    if a.cls is None or a.cls is not b.cls or a.fields is None or b.fields is None:
        return None
    return {key: merge(a.fields.get(key), b.fields.get(key)) for key in sorted({*a.fields, *b.fields})}


def same(x: Any, y: Any) -> bool:
    return type(x) is type(y) and x == y


def sanitized(value: Value, cwes: frozenset[int]) -> Value:
    """``value`` after a sanitizer: clean for ``cwes`` (for everything when empty)."""
    if not cwes:
        return Value(const=value.const)
    return replace(value, origins=frozenset(replace(o, cleared=o.cleared | cwes) for o in value.origins))


FIXED_HOST = re.compile(r"https?://[^/?#\\\s@]+[/?#]")  # a URL whose scheme and host are set before any input
HOST_CWES = frozenset({601, 918})


def fixed_host(value: Value, prefix: Any) -> Value:
    """A string built from a constant ``prefix`` and input: no open redirect or SSRF when the prefix
    already fixes the scheme and host (``"https://example.com/" + path``)."""
    if isinstance(prefix, str) and value.origins and FIXED_HOST.match(prefix):
        return sanitized(value, HOST_CWES)
    return value


def tainted(value: Value) -> Value:
    """Only the taint of ``value`` (its origins and flags), no constant or items: an element or slice of it."""
    return Value(value.origins, flags=value.flags)


def hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
