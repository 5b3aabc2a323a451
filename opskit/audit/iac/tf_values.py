"""Values of the Terraform evaluator: what is known statically, what is only known at apply time
(``Unknown``), references to resources (``Ref``), Terraform's conversions, and the size bounds
that keep computed values (strings or lists doubled by locals) from growing without limit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_TEXT = 1 << 20  # characters in one computed string
MAX_ITEMS = 10_000  # elements of one computed list or map, and nodes jsonencode may visit


@dataclass(frozen=True)
class Unknown:
    """A value known only at apply time; ``refs`` are the resources it is computed from."""

    refs: frozenset[Ref] = frozenset()

    def __repr__(self) -> str:
        return "(known after apply)"


@dataclass(frozen=True)
class Ref:
    """``aws_s3_bucket.logs.id`` (address ``aws_s3_bucket.logs``, ``key`` for count/for_each)."""

    address: str
    key: Any = None

    def __str__(self) -> str:
        return f"${{{self.address}}}" if self.key is None else f"${{{self.address}[{self.key}]}}"


UNKNOWN = Unknown()


def is_known(value: Any) -> bool:
    return not isinstance(value, (Unknown, Ref))


def refs_of(value: Any) -> set[Ref]:
    if isinstance(value, Ref):
        return {value}
    if isinstance(value, Unknown):
        return set(value.refs)
    return set()


def as_bool(value: Any) -> bool | None:
    """Terraform's conversion: booleans and the strings "true"/"false"; None when not known."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def to_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if isinstance(value, str):
        return value
    return None


def joined(values: list[Any], whole: bool) -> Any:
    """A template's value from its parts' values: ``"${x}"`` alone (``whole``) is x itself, of any type."""
    if whole:
        return values[0]
    texts = [to_text(v) for v in values]
    if any(t is None for t in texts):
        return Unknown(frozenset(r for v in values for r in refs_of(v)))
    if sum(len(t) for t in texts if t is not None) > MAX_TEXT:
        return UNKNOWN
    return "".join(t for t in texts if t is not None)


def bounded(value: Any) -> Any:
    """``value`` unless it is too large to be a real configuration value (strings or lists doubled by
    locals that refer to each other): then Unknown, so memory and work stay bounded."""
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return UNKNOWN
    if isinstance(value, (list, dict)) and len(value) > MAX_ITEMS:
        return UNKNOWN
    return value


def small(value: Any) -> bool:
    """Whether ``value`` has at most MAX_ITEMS nodes in all (shared sublists count each time)."""
    pending, seen = [value], 0
    while pending:
        item = pending.pop()
        seen += 1
        if seen > MAX_ITEMS:
            return False
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str) and len(item) > MAX_TEXT:
            return False
    return True
