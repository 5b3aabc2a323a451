"""promql/rate-on-gauge: rate(), irate(), increase() and resets() only make sense on counters."""

from __future__ import annotations

from collections.abc import Iterator

from opskit.monitor.lint.checks.naming import confidence, metric_kind, source
from opskit.monitor.lint.interface import Check, ParsedRule, Problem, Settings
from opskit.monitor.lint.promql import COUNTER_FUNCTIONS, Call, Selector


class RateOnGauge(Check):
    id = "promql/rate-on-gauge"
    title = "rate() over a metric that is not a counter"
    bad = (
        "- alert: A\n  expr: rate(node_memory_free_bytes[5m]) > 0\n",
        "- record: job:queue:increase1h\n  expr: sum(increase(queue_depth{job=\"q\"}[1h]))\n",
        "- alert: A\n  expr: irate(kube_deployment_status_replicas_available[5m]) < 0\n",
        "- alert: A\n  expr: rate(ceph_osd_up[5m]) * 60 > 1\n",
        "- alert: A\n  expr: rate(mysql_global_status_threads_connected[5m]) > 1\n",
        "- alert: A\n  expr: rate(process_open_fds[5m]) > 1\n",
    )
    good = (
        "- alert: A\n  expr: rate(http_requests_total[5m]) > 0\n",
        "- record: a:b:rate5m\n  expr: rate(request_duration_seconds_bucket[5m])\n",
        "- alert: A\n  expr: deriv(queue_depth[10m]) > 0\n",
        "- alert: A\n  expr: rate(node_vmstat_pgmajfault[5m]) > 500\n",  # a counter without _total
        "- record: a:questions:rate5m\n  expr: rate(mysql_global_status_questions[5m])\n",
        "- record: a:threads_created:rate5m\n  expr: rate(mysql_global_status_threads_created[5m])\n",
        "- record: a:open_cache_hits:rate5m\n  expr: rate(mysql_global_status_table_open_cache_hits[5m])\n",
        "- alert: A\n  expr: rate(pool_connections_evicted[10m]) > 1\n",
    )

    def run(self, parsed: ParsedRule, settings: Settings) -> Iterator[Problem]:
        if parsed.expr is None:
            return
        for node in parsed.expr.walk():
            if not (isinstance(node, Call) and node.func in COUNTER_FUNCTIONS and node.args):
                continue
            arg = node.args[0]
            if isinstance(arg, Selector) and metric_kind(arg.name, settings) == "gauge":
                how = source(arg.name, settings)
                yield self.problem(
                    parsed,
                    f"{node.func}() over {arg.name}, which is not a counter ({how}); "
                    f"use deriv() or delta() for gauges, changes() to count flips",
                    node.span,
                    confidence=confidence(arg.name, settings),
                    metric=arg.name,
                )
