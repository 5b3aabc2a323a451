"""rules/record-name: recording rules are named ``level:metric:operations`` (Prometheus convention),
so a recorded series is never mistaken for a raw one."""

from __future__ import annotations

import re
from collections.abc import Iterator

from opskit.core.findings import Severity
from opskit.monitor.lint.interface import Check, ParsedRule, Problem, RuleKind, Settings

_LEVEL_METRIC_OPS = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]*[a-zA-Z0-9_]")


class RecordName(Check):
    id = "rules/record-name"
    title = "recording rule name not level:metric:operations"
    severity = Severity.LOW
    bad = ("- record: http_errors_rate\n  expr: sum(rate(x_total[5m]))\n", "- record: job:errors\n  expr: x\n")
    good = ("- record: job:http_errors:rate5m\n  expr: sum by (job) (rate(x_total[5m]))\n",
            "- alert: http_errors_rate\n  expr: x > 1\n")

    def run(self, parsed: ParsedRule, settings: Settings) -> Iterator[Problem]:
        rule = parsed.rule
        if rule.kind is RuleKind.RECORD and not _LEVEL_METRIC_OPS.fullmatch(rule.name):
            yield self.problem(
                parsed,
                f"recording rule {rule.name!r} does not follow level:metric:operations "
                f"(e.g. job:{rule.name.replace(':', '_')}:rate5m)",
                key="name",
            )
