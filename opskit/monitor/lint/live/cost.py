"""live/cost: queries that touch more series or samples than the limits (--max-series/--max-samples).

Samples come from the server's own query statistics (``stats=all``); series from ``count()`` of
each selector.
"""

from __future__ import annotations

from collections.abc import Iterator

from opskit.core.findings import Severity
from opskit.monitor.lint.interface import ParsedRule, Problem
from opskit.monitor.lint.live.base import Live, LiveCheck, LiveLimits
from opskit.monitor.lint.live.fetch import Request
from opskit.monitor.lint.promql import Selector


def _stats_request(parsed: ParsedRule, limits: LiveLimits) -> Request:
    return Request.query(parsed.rule.expr, stats="all", time=f"{limits.now:.3f}")


def _series_requests(parsed: ParsedRule) -> list[Request]:
    assert parsed.expr is not None
    texts = {n.text() for n in parsed.expr.walk() if isinstance(n, Selector)}
    return [Request.query(f"count({text})") for text in sorted(texts)]


class QueryError:
    """Reported by QueryCost, which already runs every query: the server rejects the expression
    (a function or syntax newer than the server, a many-to-many match, a timeout)."""

    id = "live/query-error"
    title = "the server refuses the query"


class QueryCost(LiveCheck):
    id = "live/cost"
    title = "query touches too many series or samples"
    severity = Severity.MEDIUM

    def run(self, live: Live) -> Iterator[Problem]:
        rules, limits, fetch = live.rules, live.limits, live.fetch
        parsed_rules = [p for p in rules if p.expr is not None]
        answers = fetch(
            [_stats_request(p, limits) for p in parsed_rules] + [r for p in parsed_rules for r in _series_requests(p)]
        )
        for parsed in parsed_rules:
            series = sum(answers[r].vector_count() or 0 for r in _series_requests(parsed))
            answer = answers[_stats_request(parsed, limits)]
            if answer.error is not None:
                yield Problem(QueryError.id, f"the server refuses the query: {answer.error}", Severity.HIGH,
                              parsed.rule, None, "expr")
                continue
            data = answer.data
            stats = data.get("stats") if isinstance(data, dict) else None
            counted = stats.get("samples") if isinstance(stats, dict) else None
            try:
                samples = int(counted.get("totalQueryableSamples", 0) or 0) if isinstance(counted, dict) else 0
            except (TypeError, ValueError):
                samples = 0
            over = []
            if series > limits.max_series:
                over.append(f"{series:g} series (limit {limits.max_series})")
            if samples > limits.max_samples:
                over.append(f"{samples} samples (limit {limits.max_samples})")
            if over:
                yield self.problem(
                    parsed,
                    f"one evaluation touches {' and '.join(over)}: record a cheaper series or narrow the selectors",
                    series=series,
                    samples=samples,
                )
