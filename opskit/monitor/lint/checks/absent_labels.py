"""promql/absent-labels: absent() returns only the labels of its selector's equality matchers."""

from __future__ import annotations

from collections.abc import Iterator

from opskit.monitor.lint.checks.dropped_label import dropped
from opskit.monitor.lint.interface import Check, ParsedRule, Problem, Settings


class AbsentLabels(Check):
    id = "promql/absent-labels"
    title = "absent() alert uses labels its selector does not set"
    bad = (
        "- alert: A\n  expr: absent(up{job=\"api\"})\n  annotations:\n    summary: '{{ $labels.instance }} gone'\n",
        "- alert: A\n  expr: absent(up{job=~\"api.*\"})\n  labels:\n    job: '{{ $labels.job }}'\n",
    )
    good = (
        "- alert: A\n  expr: absent(up{job=\"api\"})\n  annotations:\n    summary: '{{ $labels.job }} gone'\n",
        "- alert: A\n  expr: up == 0\n  annotations:\n    summary: '{{ $labels.instance }} down'\n",
    )

    def run(self, parsed: ParsedRule, settings: Settings) -> Iterator[Problem]:
        for where, label, node in dropped(parsed, absent=True):
            yield self.problem(
                parsed,
                f"{where} uses label '{label}', but absent() only returns labels set with '=' in its selector",
                node.span if node is not None else None,
                label=label,
            )
