"""alerts/comparison: an alert whose condition always holds (pages forever) or never can (pages no one).

Ranges come from what functions can return: absent() is 1, count() at least 1, rate() at least 0,
``up`` is 0 or 1. A comparison with a constant outside that range decides the alert by itself.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from opskit.core.findings import Severity
from opskit.monitor.lint.interface import Check, ParsedRule, Problem, RuleKind, Settings
from opskit.monitor.lint.promql import Aggregate, Binary, Call, Node, Number, Selector, Span, Wrapped

INF = math.inf
_CALL_RANGES = {
    "absent": (1.0, 1.0),
    "absent_over_time": (1.0, 1.0),
    "present_over_time": (1.0, 1.0),
    "rate": (0.0, INF),
    "irate": (0.0, INF),
    "increase": (0.0, INF),
    "resets": (0.0, INF),
    "changes": (0.0, INF),
    "count_over_time": (1.0, INF),
    "abs": (0.0, INF),
    "time": (0.0, INF),
}
_FLIPPED = {">": "<", "<": ">", ">=": "<=", "<=": ">=", "==": "==", "!=": "!="}


def value_range(node: Node) -> tuple[float, float]:
    """Lowest and highest value ``node`` can have (-inf, inf when unknown)."""
    if isinstance(node, Wrapped) and node.kind == "paren":
        return value_range(node.expr)
    if isinstance(node, Number):
        return node.value, node.value
    if isinstance(node, Call):
        return _CALL_RANGES.get(node.func, (-INF, INF))
    if isinstance(node, Aggregate) and node.op in ("count", "count_values"):
        return 1.0, INF
    if isinstance(node, Aggregate) and node.op in ("min", "max", "avg", "topk", "bottomk", "quantile"):
        return value_range(node.expr)
    if isinstance(node, Selector) and node.name == "up":
        return 0.0, 1.0
    return -INF, INF


def _verdict(op: str, low: float, high: float, constant: float) -> str | None:
    """``always``/``never`` when ``value op constant`` is decided for every value in [low, high]."""
    holds = {
        ">": (low > constant, high <= constant),
        ">=": (low >= constant, high < constant),
        "<": (high < constant, low >= constant),
        "<=": (high <= constant, low > constant),
        "==": (low == high == constant, constant < low or constant > high),
        "!=": (constant < low or constant > high, low == high == constant),
    }
    always, never = holds[op]
    return "always" if always else "never" if never else None


class ComparisonCheck(Check):
    id = "alerts/comparison"
    title = "alert condition that always or never holds"
    severity = Severity.HIGH
    bad = (
        "- alert: A\n  expr: absent(up{job=\"api\"}) > 1\n",
        "- alert: A\n  expr: rate(errors_total[5m]) >= 0\n",
        "- alert: A\n  expr: up{job=\"api\"} > bool 0\n",
        "- alert: A\n  expr: vector(1)\n",
        "- alert: A\n  expr: vector(time()) > 0\n",
        "- alert: A\n  expr: sum by (job) (rate(errors_total[5m]))\n",
        "- alert: A\n  expr: count(up) < 1\n",
    )
    good = (
        "- alert: A\n  expr: absent(up{job=\"api\"})\n",
        "- alert: A\n  expr: rate(errors_total[5m]) > 0.1\n",
        "- alert: A\n  expr: up{job=\"api\"} == 0\n",
        "- record: a:b:c\n  expr: sum(rate(errors_total[5m]))\n",
        "- alert: A\n  expr: errors:ratio5m > 0.1 and on(job) requests:rate5m > 1\n",
        "- alert: A\n  expr: count(up == 0) > 0\n",
        "- alert: A\n  expr: absent(up{job=\"api\"}) == 1\n",
    )

    def run(self, parsed: ParsedRule, settings: Settings) -> Iterator[Problem]:
        if parsed.expr is None or parsed.rule.kind is not RuleKind.ALERT:
            return
        nodes = list(parsed.expr.walk())
        if not any(isinstance(n, Selector) for n in nodes):
            if isinstance(parsed.expr, Call) and parsed.expr.func == "vector":  # the Watchdog idiom
                yield self.problem(parsed, "vector() always fires: right for a Watchdog (dead man's switch), "
                                           "a bug anywhere else", severity=Severity.LOW)
            else:
                yield self.problem(parsed, "the query reads no series: it is a constant, so the alert always or "
                                           "never fires")
            return
        top = parsed.expr
        while isinstance(top, Wrapped) and top.kind == "paren":
            top = top.expr
        if isinstance(top, Binary) and top.is_comparison and top.bool_modifier:
            yield self.problem(parsed, f"'{top.op} bool' returns 0 or 1 for every series, so the alert always fires; "
                                       f"drop 'bool'", top.op_span)
        comparisons = [n for n in nodes if isinstance(n, Binary) and n.is_comparison and not n.bool_modifier]
        decided = {id(n): _decided(n) for n in comparisons}
        for node in comparisons:
            verdict = decided[id(node)]
            if verdict is not None and verdict[0] == "never":
                yield self.problem(parsed, f"{verdict[1]} never holds: the alert never fires",
                                   Span(node.op_span.start, node.span.end))
        always = [verdict[1] for verdict in decided.values() if verdict is not None and verdict[0] == "always"]
        filters: list[Node] = [n for n in comparisons if (decided[id(n)] or ("",))[0] != "always"]
        filters += [n for n in nodes if isinstance(n, Binary) and n.op in ("and", "unless")]
        filters += [n for n in nodes if isinstance(n, Call) and n.func in ("absent", "absent_over_time")]
        if not filters:
            why = f"{always[0]} always holds, so " if always else ""
            yield self.problem(
                parsed,
                f"the query has no condition that filters ({why}no other comparison, absent(), 'and' or 'unless'): "
                "the alert fires whenever any series exists",
                severity=Severity.MEDIUM,
            )


def _decided(node: Binary) -> tuple[str, str] | None:
    """("always"|"never", description) when a comparison with a constant is decided by value ranges."""
    if isinstance(node.rhs, Number):
        side, constant, op = node.lhs, node.rhs.value, node.op
    elif isinstance(node.lhs, Number):
        side, constant, op = node.rhs, node.lhs.value, _FLIPPED[node.op]
    else:
        return None
    low, high = value_range(side)
    verdict = _verdict(op, low, high, constant)
    if verdict is None:
        return None
    shown = f"[{low:g}, {high:g}]".replace("inf", "+Inf")
    return verdict, f"'{op} {constant:g}' on a value always in {shown}"
