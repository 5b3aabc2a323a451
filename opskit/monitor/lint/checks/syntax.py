"""promql/syntax: the expression does not parse, so Prometheus refuses to load the whole file.

Loki's ruler reads the same file format with LogQL queries; a stream selector followed by a line
filter (``{app="x"} |= "error"``) or a pipeline stage (``| json``) is never PromQL, so such a rule is
Loki's and not reported (the rule-level checks still see it)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from opskit.core.findings import Severity
from opskit.monitor.lint.interface import Check, ParsedRule, Problem, Settings

_LOGQL_PIPELINE = re.compile(r"""\}\s*(?:[|!][=~>]\s*["`]|\|\s*[A-Za-z_])""")


def is_logql(expr: str) -> bool:
    return bool(_LOGQL_PIPELINE.search(expr))


class SyntaxCheck(Check):
    id = "promql/syntax"
    title = "PromQL syntax error"
    severity = Severity.CRITICAL
    bad = (
        "- alert: A\n  expr: sum(rate(x_total[5m]) > 1\n",
        "- record: a:b:c\n  expr: foo{a=~\"(\"}\n",
        "- alert: A\n  expr: up{job=\"a\"} || up{job=\"b\"}\n",
        "- record: a:b:c\n  expr: sum(rate(x_total[5m])) by job\n",
    )
    good = (
        "- alert: A\n  expr: sum(rate(x_total[5m])) > 1\n",
        "- alert: A\n  expr: sum by (job) (rate({app=\"api\"} |= \"error\" [5m])) > 1\n",
        "- alert: A\n  expr: 'count_over_time({app=\"api\"} | json | level=\"error\" [5m]) > 10'\n",
        "- alert: A\n  expr: 'sum(count_over_time({ns=\"p\"} !~ `debug|trace` [1m])) > 0'\n",
    )

    def run(self, parsed: ParsedRule, settings: Settings) -> Iterator[Problem]:
        if parsed.error is not None and not is_logql(parsed.rule.expr):
            yield self.problem(parsed, f"invalid PromQL: {parsed.error}", parsed.error_span)
