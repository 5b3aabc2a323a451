"""promql/syntax: the expression does not parse, so Prometheus refuses to load the whole file."""

from __future__ import annotations

from collections.abc import Iterator

from opskit.core.findings import Severity
from opskit.monitor.lint.interface import Check, ParsedRule, Problem, Settings


class SyntaxCheck(Check):
    id = "promql/syntax"
    title = "PromQL syntax error"
    severity = Severity.CRITICAL
    bad = ("- alert: A\n  expr: sum(rate(x_total[5m]) > 1\n", "- record: a:b:c\n  expr: foo{a=~\"(\"}\n")
    good = ("- alert: A\n  expr: sum(rate(x_total[5m])) > 1\n",)

    def run(self, parsed: ParsedRule, settings: Settings) -> Iterator[Problem]:
        if parsed.error is not None:
            yield self.problem(parsed, f"invalid PromQL: {parsed.error}", parsed.error_span)
