"""Multi-window multi-burn-rate math: windows, factors, burn rates, budget and the judgement."""

from __future__ import annotations

import pytest

from opskit.monitor.durations import format_duration, parse_duration
from opskit.monitor.interface import SloSpec, Status
from opskit.monitor.slo import (
    budget_remaining,
    burn_rate,
    burn_windows,
    error_ratio_query,
    judge_slo,
    needed_windows,
    objective_ratio,
)

SPEC = SloSpec(
    name="api",
    objective=99.9,
    total_query="sum(rate(req_total[$window]))",
    error_query='sum(rate(req_total{code=~"5.."}[$window]))',
)
H, M, D = 3600.0, 60.0, 86400.0


def ratios(**by_window: float | None) -> dict[float, float | None]:
    """Error ratio per window, 0 for every window not given (30d period)."""
    table: dict[float, float | None] = {w: 0.0 for w in needed_windows(SPEC)}
    table.update({parse_duration(k.lstrip("_")): v for k, v in by_window.items()})
    return table


def test_thirty_day_windows_are_the_workbook_ones() -> None:
    windows = [(w.factor, format_duration(w.long), format_duration(w.short), w.action) for w in burn_windows(30 * D)]
    assert windows == [
        (14.4, "1h", "5m", Status.FAIL),
        (6.0, "6h", "30m", Status.FAIL),
        (3.0, "1d", "2h", Status.WARN),
        (1.0, "3d", "6h", Status.WARN),
    ]


def test_other_periods_scale_the_windows_and_keep_the_factors() -> None:
    seven_days = burn_windows(7 * D)
    assert [w.factor for w in seven_days] == [14.4, 6.0, 3.0, 1.0]
    assert seven_days[0].long == 840 and seven_days[0].short == 70  # 1h * 7/30, 5m * 7/30
    assert seven_days[3].long == pytest.approx(0.7 * D)


def test_burn_rate_and_budget() -> None:
    assert burn_rate(0.001, 0.999) == pytest.approx(1.0)
    assert burn_rate(0.0144, 99.9) == pytest.approx(14.4)
    assert budget_remaining(0.0005, 0.999) == pytest.approx(0.5)
    assert budget_remaining(0.002, 0.999) == pytest.approx(-1.0)


@pytest.mark.parametrize("objective", [0, 1.0, 100, 150, -0.5])
def test_objective_out_of_range_is_rejected(objective: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        objective_ratio(objective)


def test_error_and_good_queries() -> None:
    assert error_ratio_query(SPEC, 300) == ('(sum(rate(req_total{code=~"5.."}[5m]))) / (sum(rate(req_total[5m])))')
    good = SloSpec(name="g", objective=0.99, total_query="t[$window]", good_query="g[$window]")
    assert error_ratio_query(good, 3600) == "1 - (g[1h]) / (t[1h])"


def test_fast_burn_over_both_windows_pages() -> None:
    result = judge_slo(SPEC, ratios(_1h=0.02, _5m=0.03, _30d=0.0005))
    assert result.status is Status.FAIL
    assert "burning 20x over 1h and 30x over 5m (page above 14.4x)" in result.reason
    assert "50.0% of the 30d error budget left" in result.reason
    assert result.value == pytest.approx(0.5)


def test_a_spike_only_in_the_short_window_does_not_page() -> None:
    result = judge_slo(SPEC, ratios(_5m=0.5, _1h=0.01))
    assert result.status is Status.PASS


def test_an_overspent_budget_says_so() -> None:
    result = judge_slo(SPEC, ratios(_30d=0.003))
    assert result.reason.endswith("; the 30d error budget is spent (200% over)")
    assert result.value == pytest.approx(-2.0)


def test_slow_burn_opens_a_ticket() -> None:
    result = judge_slo(SPEC, ratios(_3d=0.0015, _6h=0.0012))
    assert result.status is Status.WARN
    assert "ticket above 1x" in result.reason


def test_no_traffic_anywhere_follows_no_data() -> None:
    empty = {w: None for w in needed_windows(SPEC)}
    assert judge_slo(SPEC, empty).status is Status.WARN
    strict = SloSpec(name="s", objective=0.99, total_query="t", error_query="e", no_data="fail")
    assert judge_slo(strict, {w: None for w in needed_windows(strict)}).status is Status.FAIL


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("5m", 300), ("1h30m", 5400), ("30d", 2592000), ("250ms", 0.25)]
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5", "m5", "5 m", "1.5h", "-5m"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(text)
