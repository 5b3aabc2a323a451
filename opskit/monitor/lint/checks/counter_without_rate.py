"""promql/counter-raw: a counter's raw value only grows and resets; alert on its rate or increase."""

from __future__ import annotations

from collections.abc import Iterator

from opskit.monitor.lint.checks.naming import confidence, known, metric_kind, source
from opskit.monitor.lint.interface import Check, ParsedRule, Problem, Settings
from opskit.monitor.lint.promql import Aggregate, Binary, Call, Node, Selector, Wrapped, ancestors

COUNTER_SAFE_CALLS = frozenset(
    {"rate", "irate", "increase", "resets", "changes", "absent", "absent_over_time", "present_over_time",
     "timestamp", "count_over_time", "last_over_time"}
)
COUNTER_SAFE_AGGREGATIONS = frozenset({"count", "group", "count_values"})


class CounterWithoutRate(Check):
    id = "promql/counter-raw"
    title = "counter used without rate() or increase()"
    bad = (
        "- alert: A\n  expr: http_requests_total{code=\"500\"} > 100\n",
        "- record: job:errors:sum\n  expr: sum by (job) (errors_total)\n",
        "- alert: A\n  expr: rpc_duration_seconds_count > 100\n",
    )
    good = (
        "- alert: A\n  expr: increase(http_requests_total{code=\"500\"}[10m]) > 100\n",
        "- alert: A\n  expr: absent(errors_total{job=\"x\"})\n",
        "- record: job:targets:count\n  expr: count by (job) (scrapes_total)\n",
        "- alert: A\n  expr: (ceph_pg_total - ceph_pg_active) > 0\n",  # a total of parts: a gauge
        "- alert: A\n  expr: sum(pg_stat_activity_count) > 80\n",  # _count without a unit: not a histogram's
    )

    def run(self, parsed: ParsedRule, settings: Settings) -> Iterator[Problem]:
        if parsed.expr is None:
            return
        chains = ancestors(parsed.expr)
        for node in parsed.expr.walk():
            if not isinstance(node, Selector) or node.range is not None:
                continue
            if metric_kind(node.name, settings) != "counter":
                continue
            safe = any(
                (isinstance(up, Call) and up.func in COUNTER_SAFE_CALLS)
                or (isinstance(up, Aggregate) and up.op in COUNTER_SAFE_AGGREGATIONS)
                for up in chains[id(node)]
            )
            if not safe and not _total_of_its_parts(node, chains[id(node)], settings):
                yield self.problem(
                    parsed,
                    f"{node.name} is a counter ({source(node.name, settings)}) used without rate() or increase(): "
                    f"its value only grows and drops on restarts",
                    node.span,
                    confidence=confidence(node.name, settings),
                    metric=node.name,
                )


def _total_of_its_parts(node: Selector, chain: tuple[Node, ...], settings: Settings) -> bool:
    """``ceph_pg_total - ceph_pg_active``: a ``<x>_total`` set against a raw ``<x>_<part>`` that is not
    a counter is a gauge counting things (placement groups), not a running count. Metadata decides first."""
    name = node.name or ""
    if not name.endswith("_total") or known(name, settings):
        return False
    parent = next((up for up in reversed(chain) if not (isinstance(up, Wrapped) and up.kind == "paren")), None)
    if not isinstance(parent, Binary) or parent.op not in ("-", "/", "+"):
        return False
    other = parent.rhs if _unwrapped(parent.lhs) is node else parent.lhs
    other = _unwrapped(other)
    stem = name.removesuffix("total")
    return (isinstance(other, Selector) and other.range is None and (other.name or "").startswith(stem)
            and metric_kind(other.name, settings) != "counter")


def _unwrapped(node: Node) -> Node:
    while isinstance(node, Wrapped) and node.kind == "paren":
        node = node.expr
    return node
