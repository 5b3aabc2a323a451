"""rules/duplicate: two rules with one name and the same labels but different queries; for
recording rules that is two writers of one series, for alerts a copy that drifted."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from opskit.monitor.lint.interface import Check, ParsedRule, Problem, Settings
from opskit.monitor.lint.promql import canonical


class DuplicateRule(Check):
    id = "rules/duplicate"
    title = "same rule name and labels with different queries"
    bad = (
        "- record: job:errors:rate5m\n  expr: sum by (job) (rate(errors_total[5m]))\n"
        "- record: job:errors:rate5m\n  expr: sum by (job) (rate(failures_total[5m]))\n",
        "- alert: ApiDown\n  expr: up{job=\"api\"} == 0\n"
        "- alert: ApiDown\n  expr: up{job=\"web\"} == 0\n",
    )
    good = (
        "- record: job:errors:rate5m\n  expr: sum by (job) (rate(errors_total[5m]))\n"
        "- record: job:errors:rate5m\n  expr: sum by(job)(rate(errors_total[5m]))\n",
        "- alert: Errors\n  expr: errors:ratio > 0.1\n  labels: {severity: warning}\n"
        "- alert: Errors\n  expr: errors:ratio > 0.5\n  labels: {severity: critical}\n",
    )

    def run(self, parsed: ParsedRule, settings: Settings) -> Iterable[Problem]:
        return ()

    def run_all(self, rules: Sequence[ParsedRule], settings: Settings) -> Iterator[Problem]:
        first: dict[tuple[str, str, tuple[tuple[str, str], ...]], ParsedRule] = {}
        for parsed in rules:
            rule = parsed.rule
            key = (rule.kind.value, rule.name, tuple(sorted(rule.labels.items())))
            seen = first.setdefault(key, parsed)
            if seen is not parsed and canonical(seen.rule.expr) != canonical(rule.expr):
                other = seen.rule
                yield self.problem(
                    parsed,
                    f"{rule.kind.value} {rule.name!r} is also defined at {other.path}:{other.lines[0]} "
                    f"with the same labels and a different query",
                    key="name",
                )
