"""Judging a threshold check from query samples."""

from __future__ import annotations

import math

import pytest

from opskit.core.findings import Severity
from opskit.monitor.interface import CheckSpec, Condition, Sample, Status
from opskit.monitor.judge import judge_check

ERRORS = CheckSpec(
    name="error-ratio",
    query="x",
    fail_when=Condition(">", 0.05),
    warn_when=Condition(">", 0.01),
    severity=Severity.CRITICAL,
)


def sample(value: float, **labels: str) -> Sample:
    return Sample(labels=labels, value=value)


def test_the_worst_series_decides_and_is_named() -> None:
    result = judge_check(ERRORS, [sample(0.0, job="a"), sample(0.3, job="b"), sample(0.02, job="c")])
    assert result.status is Status.FAIL
    assert result.reason == '0.3 > 0.05 at {job="b"} (1 of 3 series)'
    assert result.value == 0.3
    assert result.finding_severity is Severity.CRITICAL


def test_warning_is_medium() -> None:
    result = judge_check(ERRORS, [sample(0.02)])
    assert (result.status, result.finding_severity) == (Status.WARN, Severity.MEDIUM)
    assert result.reason == "0.02 > 0.01 (warning)"


def test_pass_shows_the_value_closest_to_failing() -> None:
    latency = CheckSpec(name="min-up", query="up", fail_when=Condition("<", 1))
    result = judge_check(latency, [sample(1, instance="a"), sample(1, instance="b")])
    assert result.status is Status.PASS
    assert result.reason.startswith("1 (ok; fails when < 1)")


@pytest.mark.parametrize(("no_data", "status"), [("fail", Status.FAIL), ("warn", Status.WARN), ("pass", Status.PASS)])
def test_no_data(no_data: str, status: Status) -> None:
    spec = CheckSpec(name="n", query="x", fail_when=Condition(">", 0), no_data=no_data)  # type: ignore[arg-type]
    result = judge_check(spec, [])
    assert result.status is status
    assert "no data" in result.reason


def test_nan_series_count_as_no_data() -> None:
    assert judge_check(ERRORS, [sample(math.nan)]).status is Status.FAIL
    assert judge_check(ERRORS, [sample(math.nan), sample(0.0)]).status is Status.PASS


def test_spec_needs_a_condition_and_a_known_comparison() -> None:
    with pytest.raises(ValueError, match="needs fail_when"):
        CheckSpec(name="x", query="up")
    with pytest.raises(ValueError, match="unknown comparison"):
        Condition("=>", 1)


def test_window_placeholder() -> None:
    spec = CheckSpec(name="r", query="rate(x[$window])", fail_when=Condition(">", 1), window="30s")
    assert spec.rendered_query() == "rate(x[30s])"
    assert spec.id == "monitor.check.r"
