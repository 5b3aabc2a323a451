"""promql/dropped-label: a template or label names a label the query's aggregation took away,
so it renders empty (or, in ``labels``, every alert gets the same empty value)."""

from __future__ import annotations

from collections.abc import Iterator

from opskit.monitor.lint.interface import Check, ParsedRule, Problem, RuleKind, Settings
from opskit.monitor.lint.labels import result_labels, template_labels
from opskit.monitor.lint.promql import Aggregate, Binary, Call, Node


def describe(node: Node | None) -> str:
    if isinstance(node, Aggregate):
        clause = f" by ({', '.join(node.by)})" if node.by else f" without ({', '.join(node.without)})" \
            if node.without is not None else ""
        return f"{node.op}(){clause}"
    if isinstance(node, Binary):
        return f"'{node.op}' with on()/ignoring()"
    if isinstance(node, Call):
        return f"{node.func}()"
    return "the query"


def dropped(parsed: ParsedRule, absent: bool) -> Iterator[tuple[str, str, Node | None]]:
    """(where, label, node that dropped it) for labels used in templates/labels but not kept."""
    if parsed.expr is None or parsed.rule.kind is not RuleKind.ALERT:
        return
    labels = result_labels(parsed.expr)
    used = [(f"annotations.{k}", label) for k, label in template_labels(parsed.rule.annotations)]
    used += [(f"labels.{k}", label) for k, label in template_labels(parsed.rule.labels)]
    for where, label in used:  # templates see the query's labels only, not the rule's own or alertname
        by_absent = isinstance(labels.by, Call) and labels.by.func.startswith("absent")
        if not labels.keeps(label) and by_absent == absent:
            yield where, label, labels.by


class DroppedLabel(Check):
    id = "promql/dropped-label"
    title = "template uses a label the query drops"
    bad = (
        "- alert: A\n  expr: sum by (job) (rate(errors_total[5m])) > 1\n"
        "  annotations:\n    summary: '{{ $labels.instance }} fails'\n",
        "- alert: A\n  expr: sum(up) < 1\n  labels:\n    team: '{{ $labels.team }}'\n",
        "- alert: A\n  expr: sum(up) < 1\n  labels: {team: db}\n  annotations:\n    summary: '{{ $labels.team }}'\n",
        "- alert: A\n  expr: max without (instance) (x) > 1\n  annotations:\n    summary: '{{ .Labels.instance }}'\n",
        "- alert: A\n  expr: count(up == 0) > 1\n  annotations:\n"
        "    summary: '{{ range query \"up == 0\" }}{{ $labels.instance }}{{ end }} {{ .Labels.job }}'\n",
    )
    good = (
        "- alert: A\n  expr: sum by (job, instance) (rate(errors_total[5m])) > 1\n"
        "  annotations:\n    summary: '{{ $labels.instance }} fails'\n",
        "- alert: A\n  expr: up == 0\n  annotations:\n    summary: '{{ $labels.instance }} down'\n",
        "- alert: A\n  expr: absent(up{job=\"api\"})\n  annotations:\n    summary: '{{ $labels.instance }}'\n",
        "- alert: A\n  expr: count(up == 0) > 1\n  annotations:\n"
        "    summary: '{{ range query \"up == 0\" }}{{ .Labels.instance }} {{ end }}'\n",
    )

    def run(self, parsed: ParsedRule, settings: Settings) -> Iterator[Problem]:
        for where, label, node in dropped(parsed, absent=False):
            yield self.problem(
                parsed,
                f"{where} uses label '{label}', but {describe(node)} drops it: it renders empty",
                node.span if node is not None else None,
                label=label,
            )
