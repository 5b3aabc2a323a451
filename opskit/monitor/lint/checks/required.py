"""rules/required: labels and annotations every alert must carry (severity routes it, summary
and runbook_url tell on-call what to do); configurable with --require-label/--require-annotation."""

from __future__ import annotations

from collections.abc import Iterator

from opskit.monitor.lint.interface import Check, ParsedRule, Problem, RuleKind, Settings


class RequiredFields(Check):
    id = "rules/required"
    title = "alert misses a required label or annotation"
    bad = (
        "- alert: A\n  expr: up == 0\n  annotations: {summary: s, runbook_url: r}\n",
        "- alert: A\n  expr: up == 0\n  labels: {severity: page}\n  annotations: {summary: s}\n",
    )
    good = ("- alert: A\n  expr: up == 0\n  labels: {severity: page}\n  annotations: {summary: s, runbook_url: r}\n",
            "- record: a:b:c\n  expr: up\n")

    def run(self, parsed: ParsedRule, settings: Settings) -> Iterator[Problem]:
        rule = parsed.rule
        if rule.kind is not RuleKind.ALERT:
            return
        for kind, required, present in (
            ("label", settings.required_labels, rule.labels),
            ("annotation", settings.required_annotations, rule.annotations),
        ):
            for name in required:
                if not str(present.get(name, "")).strip():
                    yield self.problem(parsed, f"no {kind} {name!r}", key=f"{kind}s",
                                       missing=name)
