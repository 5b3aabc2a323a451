"""Run checks and SLOs against a client: the queries here, the judgement in ``judge`` and ``slo``."""

from __future__ import annotations

import math
from collections.abc import Sequence

from opskit.core.errors import InputError
from opskit.monitor.durations import parse_duration
from opskit.monitor.interface import (
    AnyCheck,
    CheckResult,
    CheckSpec,
    PrometheusClient,
    QueryError,
    SloSpec,
    Status,
)
from opskit.monitor.judge import judge_check, result_for
from opskit.monitor.slo import error_ratio_query, judge_slo, needed_windows


def _where(check: AnyCheck, client: PrometheusClient) -> str:
    kind = "SLO" if isinstance(check, SloSpec) else "check"
    return f"{check.location or client.url}: {kind} {check.name!r}"


def _query_failed(check: AnyCheck, client: PrometheusClient, exc: QueryError) -> CheckResult:
    """An ``error`` result; but a query Prometheus rejects is the spec's fault: exit 2 at its file:line."""
    if exc.kind == "bad_data":
        raise InputError(f"{_where(check, client)}: Prometheus rejected the query: {exc.message}")
    return result_for(check, Status.ERROR, f"query failed ({exc.kind}): {exc.message}")


def run_check(client: PrometheusClient, spec: CheckSpec) -> CheckResult:
    """Query once (instant, or range reduced per series) and judge; a failing query is an ``error``."""
    promql = spec.rendered_query()
    try:
        if spec.range:
            samples = client.query_range(promql, parse_duration(spec.range), spec.step, spec.reduce)
        else:
            samples = client.query(promql)
    except QueryError as exc:
        return _query_failed(spec, client, exc)
    return judge_check(spec, samples)


def run_slo(client: PrometheusClient, spec: SloSpec) -> CheckResult:
    """Query the error ratio over every burn window and the period, then judge."""
    ratios: dict[float, float | None] = {}
    for window in needed_windows(spec):
        try:
            samples = client.query(error_ratio_query(spec, window))
        except QueryError as exc:
            return _query_failed(spec, client, exc)
        values = [s.value for s in samples if not math.isnan(s.value)]
        ratios[window] = max(values) if values else None
    return judge_slo(spec, ratios)


def run_checks(client: PrometheusClient, checks: Sequence[AnyCheck]) -> list[CheckResult]:
    """Every check once, in order."""
    return [run_slo(client, c) if isinstance(c, SloSpec) else run_check(client, c) for c in checks]
