"""live/vector-matching: a binary operation whose two sides have series but no pair that matches
on the given labels (``on()``/``ignoring()`` or all labels), so its result is always empty."""

from __future__ import annotations

from collections.abc import Iterator

from opskit.monitor.lint.interface import ParsedRule, Problem
from opskit.monitor.lint.live.base import Live, LiveCheck
from opskit.monitor.lint.live.fetch import Fetcher, Request
from opskit.monitor.lint.live.series import labels_request
from opskit.monitor.lint.promql import Binary, Node, Number, Selector


def _vector_pairs(parsed: ParsedRule) -> Iterator[Binary]:
    if parsed.expr is None:
        return
    for node in parsed.expr.walk():
        if isinstance(node, Binary) and node.op != "or" and not isinstance(node.lhs, Number) \
                and not isinstance(node.rhs, Number) \
                and any(isinstance(n, Selector) for n in node.lhs.walk()) \
                and any(isinstance(n, Selector) for n in node.rhs.walk()):
            yield node


def _modifier(node: Binary) -> str:
    if node.on is not None:
        return f" on({', '.join(node.on)})"
    if node.ignoring is not None:
        return f" ignoring({', '.join(node.ignoring)})"
    return ""


def _requests(node: Binary) -> tuple[Request, Request, Request]:
    lhs, rhs = f"({node.lhs_text})", f"({node.rhs_text})"
    return (
        Request.query(f"count({lhs})"),
        Request.query(f"count({rhs})"),
        Request.query(f"count({lhs} and{_modifier(node)} {rhs})"),
    )


def _side_labels(side: Node, fetch: Fetcher) -> set[str]:
    """Label names the metrics of one side carry (from the labels API, shared with the series check)."""
    names = sorted({n.name for n in side.walk() if isinstance(n, Selector) and n.name})
    answers = fetch(labels_request(name) for name in names)
    found: set[str] = set()
    for answer in answers.values():
        if isinstance(answer.data, list):
            found.update(str(label) for label in answer.data if label != "__name__")
    return found


def _missing(node: Binary, left: set[str], right: set[str]) -> str:
    """Which of the matching labels one side never has, as a hint."""
    wanted = set(node.on or ())
    hints = [f"the {side} side has no {', '.join(sorted(wanted - have))}"
             for side, have in (("left", left), ("right", right)) if have and wanted - have]
    return "; " + "; ".join(hints) if hints else ""


class VectorMatching(LiveCheck):
    id = "live/vector-matching"
    title = "vector matching finds no pairs"

    def run(self, live: Live) -> Iterator[Problem]:
        rules, fetch = live.rules, live.fetch
        found = [(parsed, node) for parsed in rules for node in _vector_pairs(parsed)]
        answers = fetch(r for _, node in found for r in _requests(node))
        for parsed, node in found:
            left, right, both = (answers[r].vector_count() for r in _requests(node))
            if left and right and both == 0:
                how = _modifier(node).strip() or "all labels"
                hint = _missing(node, _side_labels(node.lhs, fetch), _side_labels(node.rhs, fetch))
                yield self.problem(
                    parsed,
                    f"'{node.op}' matching on {how}: the left side has {left:g} series and the right {right:g}, "
                    f"but no pair matches, so the result is always empty{hint}",
                    node.op_span,
                    left_series=left,
                    right_series=right,
                )
