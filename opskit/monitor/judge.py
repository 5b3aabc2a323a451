"""Pure judgement of a threshold check: query samples in, pass/warn/fail with a one-line reason out."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from opskit.monitor.interface import AnyCheck, CheckResult, CheckSpec, Sample, Status


def fmt_value(value: float) -> str:
    """A value as a person reads it: 4 significant digits, no exponent for ordinary numbers."""
    if math.isnan(value) or math.isinf(value):
        return str(value)
    return f"{value:.4g}"


def _status(spec: CheckSpec, value: float) -> Status:
    if spec.fail_when is not None and spec.fail_when.holds(value):
        return Status.FAIL
    if spec.warn_when is not None and spec.warn_when.holds(value):
        return Status.WARN
    return Status.PASS


def result_for(
    spec: AnyCheck,
    status: Status,
    reason: str,
    value: float | None = None,
    details: Mapping[str, Any] | None = None,
) -> CheckResult:
    """A CheckResult carrying the check's identity and severity."""
    return CheckResult(
        id=spec.id,
        name=spec.name,
        status=status,
        reason=reason,
        title=spec.title or spec.name,
        value=value,
        severity=spec.severity,
        location=spec.location,
        details=details or {},
    )


def judge_check(spec: CheckSpec, samples: Sequence[Sample]) -> CheckResult:
    """The worst series decides; NaN series (0/0, no traffic) count as no data."""
    usable = [s for s in samples if not math.isnan(s.value)]
    if not usable:
        status = Status(spec.no_data)
        return result_for(spec, status, f"no data: no series with a value (no_data: {spec.no_data})")
    judged = sorted(((_status(spec, s.value), s) for s in usable), key=lambda pair: -pair[0].rank)
    status, worst = judged[0]
    if status is Status.PASS:
        closest = spec.fail_when or spec.warn_when
        assert closest is not None
        worst = max(usable, key=lambda s: -s.value if closest.op in ("<", "<=") else s.value)
        verb = "fails" if spec.fail_when else "warns"
        wording = f"{fmt_value(worst.value)} (ok; {verb} when {closest})"
    else:
        condition = spec.fail_when if status is Status.FAIL else spec.warn_when
        wording = f"{fmt_value(worst.value)} {condition}" + (" (warning)" if status is Status.WARN else "")
    bad = sum(1 for st, _ in judged if st is status)
    where = worst.label_text()
    scope = f" ({bad} of {len(usable)} series)" if len(usable) > 1 and status is not Status.PASS else ""
    reason = f"{wording}{' at ' + where if where else ''}{scope}"
    return result_for(spec, status, reason, worst.value)
