"""promql/range-too-short: rate() needs two samples in its range; less than 2 scrape intervals misses."""

from __future__ import annotations

from collections.abc import Iterator

from opskit.monitor.durations import format_duration
from opskit.monitor.lint.interface import Check, ParsedRule, Problem, Settings
from opskit.monitor.lint.promql import Call, Selector

RATE_LIKE = frozenset({"rate", "irate", "increase", "delta", "idelta", "deriv", "resets", "changes"})


class RangeTooShort(Check):
    id = "promql/range-too-short"
    title = "range shorter than two scrape intervals"
    bad = (
        "- alert: A\n  expr: rate(http_requests_total[30s]) > 0\n",
        "- record: a:b:irate\n  expr: irate(x_total[45s])\n",
    )
    good = (
        "- alert: A\n  expr: rate(http_requests_total[1m]) > 0\n",
        "- record: a:b:max\n  expr: max_over_time(x[30s])\n",
    )

    def run(self, parsed: ParsedRule, settings: Settings) -> Iterator[Problem]:
        if parsed.expr is None:
            return
        for node in parsed.expr.walk():
            if not (isinstance(node, Call) and node.func in RATE_LIKE and node.args):
                continue
            arg = node.args[0]
            if not isinstance(arg, Selector) or arg.range is None:
                continue
            job = next((m.value for m in arg.matchers if m.name == "job" and m.op == "="), None)
            interval = settings.interval_for(job)
            if arg.range < 2 * interval:
                yield self.problem(
                    parsed,
                    f"{node.func}() over [{format_duration(arg.range)}] with a {format_duration(interval)} scrape "
                    f"interval: needs at least [{format_duration(2 * interval)}] (2 samples), better 4x",
                    node.span,
                    range=arg.range,
                    scrape_interval=interval,
                )
