"""alerts/for: without ``for`` one bad evaluation pages; a ``for`` shorter than the group's
evaluation interval is the same as none. An explicit ``for: 0m`` is a choice and is left alone, and
so is a missing ``for`` when the condition already spans a window (``increase(x[10m]) > 0``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from opskit.core.findings import Severity
from opskit.monitor.durations import format_duration, parse_duration
from opskit.monitor.lint.interface import Check, ParsedRule, Problem, RuleKind, Settings
from opskit.monitor.lint.promql import Binary, Call, Node, Selector, Wrapped

# A condition over at least this much history (10 evaluations at 30s) is not one noisy sample.
SMOOTHING_WINDOW = 300.0
# Functions that look only at the newest samples of their range, so the range smooths nothing.
_LAST_SAMPLE_CALLS = frozenset({"irate", "idelta", "last_over_time", "present_over_time", "timestamp"})
# Recorded series named after their window by convention (``job:errors:rate5m``, ``:burnrate1h``).
_WINDOW_SUFFIX = re.compile(r"(\d+(?:ms|s|m|h|d|w|y))$")


def _recorded_window(name: str | None) -> float | None:
    if not name or ":" not in name:
        return None
    found = _WINDOW_SUFFIX.search(name.rsplit(":", 1)[-1])
    return parse_duration(found.group(1)) if found else None


def _range(node: Node) -> float | None:
    if isinstance(node, Selector) or (isinstance(node, Wrapped) and node.kind == "subquery"):
        return node.range
    return None


def _all(results: list[bool | None]) -> bool | None:
    return False if False in results else True if True in results else None


def smoothed(node: Node) -> bool | None:
    """True when every series the condition reads is seen through a window of SMOOTHING_WINDOW or
    more; None when it reads no series. Only the left side of ``and``/``unless`` decides which series
    fire; in a ``group_left``/``group_right`` join one windowed side is enough (the other is usually
    an info series copied for its labels)."""
    if isinstance(node, Selector):
        window = node.range if node.range is not None else _recorded_window(node.name)
        return window is not None and window >= SMOOTHING_WINDOW
    if isinstance(node, Call):
        ranges = [r for r in (_range(a) for a in node.args) if r is not None]
        if ranges:
            return node.func not in _LAST_SAMPLE_CALLS and min(ranges) >= SMOOTHING_WINDOW
    if isinstance(node, Binary):
        if node.op in ("and", "unless"):
            return smoothed(node.lhs)
        if node.card in ("many-to-one", "one-to-many"):
            sides = [smoothed(node.lhs), smoothed(node.rhs)]
            return True if True in sides else _all(sides)
    return _all([smoothed(child) for child in node.children()])


class AlertFor(Check):
    id = "alerts/for"
    title = "alert without an effective 'for'"
    bad = (
        "- alert: A\n  expr: up == 0\n",
        "- alert: A\n  expr: up == 0\n  for: 15s\n",
        "- alert: A\n  expr: rate(errors_total[1m]) > 5\n",
        "- alert: A\n  expr: irate(errors_total[10m]) > 5\n",
        "- alert: A\n  expr: up == 1 and on(job) increase(panics_total[10m]) > 0\n",
        "- alert: A\n  expr: max_over_time(x[10m]) > 1 or y > 1\n",
        "- alert: A\n  expr: job:errors:ratio > 0.1\n",
    )
    good = (
        "- alert: A\n  expr: up == 0\n  for: 5m\n",
        "- alert: A\n  expr: up == 0\n  for: 30s\n",
        "- record: a:b:c\n  expr: up == 0\n",
        "- alert: A\n  expr: up == 0\n  for: 0m\n",
        "- alert: A\n  expr: increase(panics_total[10m]) > 0\n",
        "- alert: A\n  expr: absent_over_time(backup_last_success_timestamp_seconds{job=\"b\"}[26h])\n",
        "- alert: A\n  expr: (time() - max_over_time(last_upload_time[24h])) / 3600 > 24\n",
        "- alert: A\n  expr: count(rate(wal_corruptions_total[5m]) > 0) > 0 and count(build_info) > 0\n",
        "- alert: A\n  expr: predict_linear(node_filesystem_free_bytes[2d], 86400) * on(instance) group_left(nodename)"
        " node_uname_info < 0\n",
        "- alert: A\n  expr: max_over_time(changes(up[5m])[1h:5m]) > 3\n",
        "- alert: A\n  expr: slo:sli_error:ratio_rate5m > 0.01 and slo:sli_error:ratio_rate1h > 0.01\n",
    )

    def run(self, parsed: ParsedRule, settings: Settings) -> Iterator[Problem]:
        rule = parsed.rule
        if rule.kind is not RuleKind.ALERT:
            return
        interval = rule.group_interval or settings.evaluation_interval
        if rule.for_seconds is None:  # an explicit 'for: 0m' says the author wants it at once
            if parsed.expr is None or not smoothed(parsed.expr):
                yield self.problem(parsed, "no 'for': a single bad evaluation fires the alert", key="name",
                                   severity=Severity.LOW)
        elif 0 < rule.for_seconds < interval:
            yield self.problem(
                parsed,
                f"'for: {format_duration(rule.for_seconds)}' is shorter than the evaluation interval "
                f"{format_duration(interval)}: it fires on the first bad evaluation",
                key="for",
            )
