"""promql/regexp: regexp matchers that do not mean what they look like.

Prometheus anchors every regexp (``=~"api"`` matches only ``api``), so a value without any
regexp syntax is an exact match in disguise, ``^``/``$`` are redundant, ``.*`` alone matches
everything including a missing label, and an empty alternative (``a|``) matches a missing label.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from opskit.core.findings import Severity
from opskit.monitor.lint.interface import Check, ParsedRule, Problem, Settings
from opskit.monitor.lint.promql import Selector

_META = re.compile(r"[.*+?()\[\]{}|^$\\]")


def regexp_problem(op: str, value: str) -> str | None:
    if not _META.search(value):
        same = "=" if op == "=~" else "!="
        return (f'{op}"{value}" is anchored, so it matches only exactly "{value}": use {same}"{value}" '
                f'(or {op}".*{value}.*" for a substring)')
    if value in (".*", "^.*$"):
        return f'{op}"{value}" matches every value, even a missing label: drop the matcher'
    if value.startswith("^") or (value.endswith("$") and not value.endswith("\\$")):
        return f'{op}"{value}": Prometheus already anchors regexps, ^ and $ are redundant'
    if value.startswith("|") or value.endswith("|") or "||" in value:
        return f'{op}"{value}" has an empty alternative, which also matches a missing label'
    return None


class RegexpCheck(Check):
    id = "promql/regexp"
    title = "regexp matcher with a surprise"
    severity = Severity.LOW
    bad = (
        "- alert: A\n  expr: up{job=~\"api\"} == 0\n",
        "- alert: A\n  expr: up{instance=~\"^web-1.*\"} == 0\n",
        "- record: a:b:c\n  expr: sum(x{env=~\"prod|\"})\n",
        "- record: a:b:c\n  expr: sum(x{env!~\".*\"})\n",
    )
    good = (
        "- alert: A\n  expr: up{job=~\"api|web\"} == 0\n",
        "- alert: A\n  expr: up{job=\"api\", code=~\"5..\"} == 0\n",
        "- record: a:b:c\n  expr: sum(x{path=~\"/api/.*\"})\n",
    )

    def run(self, parsed: ParsedRule, settings: Settings) -> Iterator[Problem]:
        if parsed.expr is None:
            return
        for node in parsed.expr.walk():
            if not isinstance(node, Selector):
                continue
            for matcher in node.matchers:
                if matcher.op in ("=~", "!~"):
                    message = regexp_problem(matcher.op, matcher.value)
                    if message:
                        yield self.problem(parsed, f"{matcher.name}{message}", matcher.span, label=matcher.name)
