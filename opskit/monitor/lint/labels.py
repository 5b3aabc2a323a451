"""Which labels a query's result can carry, and which node took the others away.

Used to prove that an alert's templates and labels only name labels its query keeps.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from opskit.monitor.lint.promql import Aggregate, Binary, Call, Node, Number, Selector, String, Wrapped

_VARIABLE_LABEL = re.compile(r"""\$labels\.([A-Za-z_][A-Za-z0-9_]*)|index\s+\$labels\s+"([^"]+)\"""")
_DOT_LABEL = re.compile(r"\.Labels\.([A-Za-z_][A-Za-z0-9_]*)")
_ACTION = re.compile(r"""\{\{-?\s*(\w*)(?:[^}"`]|"(?:[^"\\]|\\.)*"|`[^`]*`)*\}\}""")
_OPENS = frozenset({"if", "range", "with", "block", "define"})
_REBINDS_DOT = frozenset({"range", "with"})
_KEEPS_LABELS = frozenset({"topk", "bottomk", "limitk", "limit_ratio"})
_NO_LABELS = frozenset({"vector", "time", "scalar", "pi", "day_of_month", "day_of_week", "hour", "minute", "month",
                        "year", "days_in_month", "day_of_year"})
_LABEL_ADDERS = frozenset({"label_replace", "label_join"})


@dataclass(frozen=True)
class Labels:
    """``closed``: only ``names`` can be there; open: anything but ``names``. ``by`` narrowed it last."""

    closed: bool
    names: frozenset[str]
    by: Node | None = None

    def keeps(self, label: str) -> bool:
        return (label in self.names) if self.closed else (label not in self.names)

    def plus(self, extra: frozenset[str]) -> Labels:
        names = self.names | extra if self.closed else self.names - extra
        return Labels(self.closed, names, self.by)

    def minus(self, removed: frozenset[str], by: Node) -> Labels:
        if self.closed:
            return Labels(True, self.names - removed, by if self.names & removed else self.by)
        return Labels(False, self.names | removed, by)


OPEN = Labels(False, frozenset())


def _string_arg(call: Call, index: int) -> str | None:
    arg = call.args[index] if len(call.args) > index else None
    return arg.value if isinstance(arg, String) else None


def _call(node: Call) -> Labels:
    if node.func in ("absent", "absent_over_time"):
        arg = node.args[0] if node.args else None
        kept = arg.equal_labels() if isinstance(arg, Selector) else frozenset()
        return Labels(True, kept, node)
    if node.func in _NO_LABELS:
        return Labels(True, frozenset(), node)
    vectors = [a for a in node.args if not isinstance(a, (Number, String))]
    inner = result_labels(vectors[0]) if vectors else Labels(True, frozenset(), node)
    if node.func in _LABEL_ADDERS:
        dst = _string_arg(node, 1)
        return inner.plus(frozenset({dst})) if dst else inner
    if node.func == "histogram_quantile":
        return inner.minus(frozenset({"le"}), node)
    return inner


def _aggregate(node: Aggregate) -> Labels:
    inner = result_labels(node.expr)
    if node.op in _KEEPS_LABELS:
        return inner
    extra: frozenset[str] = frozenset()
    if node.op == "count_values" and isinstance(node.param, String):
        extra = frozenset({node.param.value})
    if node.without is not None:
        return inner.minus(frozenset(node.without), node).plus(extra)
    kept = frozenset(node.by or ()) | extra
    if inner.closed:
        kept &= inner.names | extra
    return Labels(True, kept, node)


def _binary(node: Binary) -> Labels:
    lhs, rhs = result_labels(node.lhs), result_labels(node.rhs)
    if node.op in ("and", "unless"):
        return lhs
    if node.op == "or":
        if lhs.closed and rhs.closed:
            return Labels(True, lhs.names | rhs.names, lhs.by or rhs.by)
        return OPEN if not (lhs.closed or rhs.closed) else (rhs if lhs.closed else lhs)
    scalar_lhs = isinstance(node.lhs, Number) or (lhs.closed and not lhs.names and isinstance(lhs.by, Call))
    if isinstance(node.rhs, Number) or (scalar_lhs and not isinstance(node.rhs, Number)):
        return rhs if scalar_lhs else lhs
    if node.card == "one-to-many":
        return rhs.plus(frozenset(node.group_labels))
    if node.card == "many-to-one":
        return lhs.plus(frozenset(node.group_labels))
    if node.on is not None:
        kept = frozenset(node.on)
        return Labels(True, kept & lhs.names if lhs.closed else kept, node)
    if node.ignoring:
        return lhs.minus(frozenset(node.ignoring), node)
    return lhs


def result_labels(node: Node) -> Labels:
    """The labels ``node``'s result series can have (``__name__`` aside)."""
    if isinstance(node, Selector):
        return OPEN
    if isinstance(node, (Number, String)):
        return Labels(True, frozenset(), node)
    if isinstance(node, Wrapped):
        return result_labels(node.expr)
    if isinstance(node, Call):
        return _call(node)
    if isinstance(node, Aggregate):
        return _aggregate(node)
    if isinstance(node, Binary):
        return _binary(node)
    return OPEN


def _alert_dot(text: str) -> str:
    """The template outside ``{{ range }}``/``{{ with }}`` blocks: there ``.`` is the alert, while
    inside ``{{ range query "..." }}`` ``.Labels`` belongs to each result of that query."""
    kept: list[str] = []
    stack: list[str] = []
    position = 0
    for action in _ACTION.finditer(text):
        if not any(kind in _REBINDS_DOT for kind in stack):
            kept.append(text[position : action.start()])
        word = action.group(1)
        if word in _OPENS:
            stack.append(word)
        elif word == "end" and stack:
            stack.pop()
        position = action.end()
        if not any(kind in _REBINDS_DOT for kind in stack) and word not in _REBINDS_DOT:
            kept.append(action.group(0))
    kept.append(text[position:] if not stack else "")
    return "".join(kept)


def template_labels(values: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """(key, label) for every ``$labels.x``, ``index $labels "x"`` and alert-level ``.Labels.x``."""
    for key, text in sorted(values.items()):
        found = [next(g for g in m.groups() if g) for m in _VARIABLE_LABEL.finditer(text)]
        found += [m.group(1) for m in _DOT_LABEL.finditer(_alert_dot(text))]
        for label in found:
            yield key, label
