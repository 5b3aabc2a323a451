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
    return str(check.location) if check.location else f"{client.url} check {check.name!r}"


def _rejected(check: AnyCheck, client: PrometheusClient, exc: QueryError) -> InputError:
    """A query Prometheus cannot parse is the spec's fault: exit 2 naming the file and line."""
    return InputError(f"{_where(check, client)}: Prometheus rejected the query: {exc.message}")


def run_check(client: PrometheusClient, spec: CheckSpec) -> CheckResult:
    """Query once (instant, or range reduced per series) and judge; a failing query is an ``error``."""
    promql = spec.rendered_query()
    try:
        if spec.range:
            samples = client.query_range(promql, parse_duration(spec.range), spec.step, spec.reduce)
        else:
            samples = client.query(promql)
    except QueryError as exc:
        if exc.kind == "bad_data":
            raise _rejected(spec, client, exc) from None
        return result_for(spec, Status.ERROR, f"query failed ({exc.kind}): {exc.message}")
    return judge_check(spec, samples)


def run_slo(client: PrometheusClient, spec: SloSpec) -> CheckResult:
    """Query the error ratio over every burn window and the period, then judge."""
    ratios: dict[float, float | None] = {}
    for window in needed_windows(spec):
        try:
            samples = client.query(error_ratio_query(spec, window))
        except QueryError as exc:
            if exc.kind == "bad_data":
                raise _rejected(spec, client, exc) from None
            return result_for(spec, Status.ERROR, f"query failed ({exc.kind}): {exc.message}")
        values = [s.value for s in samples if not math.isnan(s.value)]
        ratios[window] = max(values) if values else None
    return judge_slo(spec, ratios)


def run_checks(client: PrometheusClient, checks: Sequence[AnyCheck]) -> list[CheckResult]:
    """Every check once, in order."""
    return [run_slo(client, c) if isinstance(c, SloSpec) else run_check(client, c) for c in checks]
