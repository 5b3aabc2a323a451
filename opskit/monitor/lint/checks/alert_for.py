"""alerts/for: without ``for`` one bad evaluation pages; a ``for`` shorter than the group's
evaluation interval is the same as none. An explicit ``for: 0m`` is a choice and is left alone."""

from __future__ import annotations

from collections.abc import Iterator

from opskit.core.findings import Severity
from opskit.monitor.durations import format_duration
from opskit.monitor.lint.interface import Check, ParsedRule, Problem, RuleKind, Settings


class AlertFor(Check):
    id = "alerts/for"
    title = "alert without an effective 'for'"
    bad = (
        "- alert: A\n  expr: up == 0\n",
        "- alert: A\n  expr: up == 0\n  for: 15s\n",
    )
    good = (
        "- alert: A\n  expr: up == 0\n  for: 5m\n",
        "- alert: A\n  expr: up == 0\n  for: 30s\n",
        "- record: a:b:c\n  expr: up == 0\n",
        "- alert: A\n  expr: up == 0\n  for: 0m\n",
    )

    def run(self, parsed: ParsedRule, settings: Settings) -> Iterator[Problem]:
        rule = parsed.rule
        if rule.kind is not RuleKind.ALERT:
            return
        interval = rule.group_interval or settings.evaluation_interval
        if rule.for_seconds is None:  # an explicit 'for: 0m' says the author wants it at once
            yield self.problem(parsed, "no 'for': a single bad evaluation fires the alert", key="name",
                               severity=Severity.LOW)
        elif 0 < rule.for_seconds < interval:
            yield self.problem(
                parsed,
                f"'for: {format_duration(rule.for_seconds)}' is shorter than the evaluation interval "
                f"{format_duration(interval)}: it fires on the first bad evaluation",
                key="for",
            )
