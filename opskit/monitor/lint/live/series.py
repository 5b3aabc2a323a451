"""live/series-missing and live/label-missing: selectors that match nothing on the server.

A selector with no series now is a dead alert or an empty recording. We say why: the metric was
last seen at some time within the retention (renamed or removed), a matcher names a label the
metric never has, or the metric was never there at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

from opskit.core.findings import Severity
from opskit.monitor.durations import format_duration
from opskit.monitor.lint.interface import ParsedRule, Problem, RuleKind
from opskit.monitor.lint.live.base import Live, LiveCheck, LiveLimits
from opskit.monitor.lint.live.fetch import Answer, Fetcher, Request
from opskit.monitor.lint.promql import Call, Selector, ancestors

LAST_SEEN_STEP = "5m"


def selectors(parsed: ParsedRule, recorded: frozenset[str]) -> Iterator[tuple[Selector, bool]]:
    """Named selectors whose metric is not recorded by a rule we were given; True inside absent()."""
    if parsed.expr is None:
        return
    chains = ancestors(parsed.expr)
    for node in parsed.expr.walk():
        if not isinstance(node, Selector) or not node.name or node.name in recorded:
            continue
        yield node, any(isinstance(up, Call) and up.func.startswith("absent") for up in chains[id(node)])


def count_request(selector: Selector) -> Request:
    return Request.query(f"count({selector.text()})")


def labels_request(name: str) -> Request:
    return Request("labels", (("match[]", name),))


def values_request(selector: Selector, label: str) -> Request:
    return Request(f"label/{label}/values", (("match[]", str(selector.name)),))


def _unseen_values(selector: Selector, values: dict[Request, Answer]) -> Iterator[str]:
    """For each '=' matcher whose value the metric never had: the values it did have."""
    for matcher in selector.matchers:
        answer = values.get(values_request(selector, matcher.name)) if matcher.op == "=" else None
        known = [str(v) for v in answer.data] if answer is not None and isinstance(answer.data, list) else []
        if known and matcher.value not in known:
            shown = ", ".join(f'"{v}"' for v in sorted(known)[:5])
            yield f'; {matcher.name}="{matcher.value}" never occurs (seen: {shown})'


def _matches_empty(op: str, value: str) -> bool:
    """Would the matcher accept a series that lacks the label (an empty value)?"""
    if op in ("=", "!="):
        return (value == "") == (op == "=")
    try:
        found = re.fullmatch(value, "") is not None
    except re.error:
        return False
    return found == (op == "=~")


class SeriesMissing(LiveCheck):
    id = "live/series-missing"
    title = "selector matches no series on the server"

    def run(self, live: Live) -> Iterator[Problem]:
        rules, limits, fetch = live.rules, live.limits, live.fetch
        recorded = frozenset(p.rule.name for p in rules if p.rule.kind is RuleKind.RECORD)
        found = [(parsed, sel, absent) for parsed in rules for sel, absent in selectors(parsed, recorded)]
        answers = fetch([count_request(s) for _, s, _ in found] + [labels_request(str(s.name)) for _, s, _ in found])
        missing = []
        for parsed, sel, absent in found:
            names = answers[labels_request(str(sel.name))].data
            if not isinstance(names, list):
                continue
            if absent:  # missing is what absent() is for; a metric that never existed makes it fire forever
                if not names:
                    yield self.problem(
                        parsed,
                        f"absent() of {sel.name}, which has no series within the retention: it always fires "
                        f"(misspelt, renamed or never exported?)",
                        sel.span,
                        metric=sel.name,
                    )
                continue
            if not names:
                yield self.problem(
                    parsed,
                    f"{sel.name} has no series within the retention: the metric does not exist "
                    f"(misspelt, renamed or never exported)",
                    sel.span,
                    metric=sel.name,
                )
                continue
            label_problem = False
            for matcher in sel.matchers:
                if matcher.name == "__name__" or matcher.name in names:
                    continue
                empty = _matches_empty(matcher.op, matcher.value)
                label_problem = label_problem or not empty
                yield Problem(
                    LabelMissing.id,
                    f"label '{matcher.name}' is never on {sel.name} (its labels: {', '.join(sorted(names)[:12])}); "
                    + ("the matcher always holds" if empty else "the selector can never match"),
                    Severity.MEDIUM if empty else Severity.HIGH,
                    parsed.rule,
                    matcher.span,
                    details={"metric": sel.name, "label": matcher.name},
                )
            if not label_problem and answers[count_request(sel)].vector_count() == 0:
                missing.append((parsed, sel))
        yield from self._last_seen(missing, limits, fetch)

    def _last_seen(
        self, missing: list[tuple[ParsedRule, Selector]], limits: LiveLimits, fetch: Fetcher
    ) -> Iterator[Problem]:
        window = format_duration(limits.retention)

        def request(sel: Selector) -> Request:
            promql = f"max(max_over_time(timestamp({sel.text()})[{window}:{LAST_SEEN_STEP}]))"
            return Request.query(promql, time=f"{limits.now:.3f}")

        answers = fetch(request(s) for _, s in missing)
        never = [sel for _, sel in missing if not answers[request(sel)].vector_count()]
        values = fetch(values_request(sel, m.name) for sel in never for m in sel.matchers if m.op == "=")
        for parsed, sel in missing:
            last = answers[request(sel)].vector_count()
            if last:
                seen = datetime.fromtimestamp(last, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                ago = format_duration(max(0.0, limits.now - last))
                message = (f"{sel.text()} matches no series now; last seen {seen} ({ago} ago): "
                           f"renamed or removed?")
            else:
                message = f"{sel.text()} matched no series within the retention ({window})"
                message += "".join(_unseen_values(sel, values))
            yield self.problem(parsed, message, sel.span, metric=sel.name, last_seen=last or None)


class LabelMissing:
    """Reported by SeriesMissing (one pass over the same answers); listed for titles."""

    id = "live/label-missing"
    title = "matcher names a label the metric never has"
