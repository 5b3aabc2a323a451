"""Multi-window multi-burn-rate SLO math (Google SRE workbook, ch. 5), pure and unit-tested.

A burn rate is how fast the error budget is spent: 1 spends exactly the budget in the period.
For a 30-day period the four conditions page at 14.4x over 1h and 5m and 6x over 6h and 30m,
and open a ticket at 3x over 1d and 2h and 1x over 3d and 6h. Other periods scale the windows by
period/30d, which keeps the factors (each is "this share of the budget spent in the long window").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from opskit.monitor.durations import format_duration, parse_duration
from opskit.monitor.interface import CheckResult, SloSpec, Status
from opskit.monitor.judge import result_for

BASE_PERIOD = 30 * 86400.0
_BASE = (
    (14.4, 3600.0, 300.0, Status.FAIL),
    (6.0, 6 * 3600.0, 1800.0, Status.FAIL),
    (3.0, 86400.0, 2 * 3600.0, Status.WARN),
    (1.0, 3 * 86400.0, 6 * 3600.0, Status.WARN),
)


@dataclass(frozen=True)
class BurnWindow:
    """One condition: burn rate above ``factor`` over both the long and the short window."""

    factor: float
    long: float  # seconds
    short: float  # seconds
    action: Status  # FAIL pages, WARN opens a ticket


def burn_windows(period_seconds: float) -> list[BurnWindow]:
    """The four conditions for an SLO period, windows scaled from the 30-day ones (whole seconds)."""
    scale = period_seconds / BASE_PERIOD
    return [
        BurnWindow(factor, float(max(1, round(long * scale))), float(max(1, round(short * scale))), action)
        for factor, long, short, action in _BASE
    ]


def objective_ratio(objective: float) -> float:
    """0.999 stays 0.999; 99.9 (percent) becomes 0.999; 1 (no budget at all) or less than 0 is an error."""
    ratio = round(objective / 100, 12) if objective > 1 else objective
    if not 0 < ratio < 1:
        raise ValueError(f"objective {objective:g} must be between 0 and 1 (or a percentage below 100)")
    return ratio


def burn_rate(error_ratio: float, objective: float) -> float:
    """How many times faster than sustainable the budget burns at ``error_ratio``."""
    return error_ratio / (1 - objective_ratio(objective))


def budget_remaining(period_error_ratio: float, objective: float) -> float:
    """Share of the period's error budget left (negative when overspent)."""
    return 1 - burn_rate(period_error_ratio, objective)


def needed_windows(spec: SloSpec) -> list[float]:
    """Every window (seconds) whose error ratio the judgement needs, the full period included."""
    period = parse_duration(spec.period)
    windows = {period}
    for w in burn_windows(period):
        windows.update((w.long, w.short))
    return sorted(windows)


def error_ratio_query(spec: SloSpec, window_seconds: float) -> str:
    """PromQL for the share of bad events over one window."""
    window = format_duration(window_seconds)
    total = spec.total_query.replace("$window", window)
    if spec.error_query:
        return f"({spec.error_query.replace('$window', window)}) / ({total})"
    assert spec.good_query is not None
    return f"1 - ({spec.good_query.replace('$window', window)}) / ({total})"


def judge_slo(spec: SloSpec, ratios: Mapping[float, float | None]) -> CheckResult:
    """Pass, warn (ticket) or fail (page) from the error ratio of every needed window.

    ``ratios`` maps a window in seconds to its error ratio, None when it had no traffic.
    """
    period = parse_duration(spec.period)
    burns = {w: burn_rate(r, spec.objective) for w, r in ratios.items() if r is not None}
    period_ratio = ratios.get(period)
    remaining = None if period_ratio is None else budget_remaining(period_ratio, spec.objective)
    details = {
        "objective": objective_ratio(spec.objective),
        "period": spec.period,
        "burn_rates": {format_duration(w): round(b, 4) for w, b in sorted(burns.items())},
        "budget_remaining": None if remaining is None else round(remaining, 6),
    }
    if remaining is None:
        budget = ""
    elif remaining < 0:
        budget = f"; the {spec.period} error budget is spent ({-remaining:.0%} over)"
    else:
        budget = f"; {remaining:.1%} of the {spec.period} error budget left"

    def result(status: Status, reason: str) -> CheckResult:
        return result_for(spec, status, reason + budget, remaining, details)

    if not burns:
        return result(Status(spec.no_data), f"no data: no traffic in any window (no_data: {spec.no_data})")
    windows = burn_windows(period)
    for window in windows:  # fastest first: the most urgent condition wins
        long_burn, short_burn = burns.get(window.long), burns.get(window.short)
        if long_burn is None or short_burn is None:
            continue
        if long_burn > window.factor and short_burn > window.factor:
            verb = "page" if window.action is Status.FAIL else "ticket"
            return result(
                window.action,
                f"burning {long_burn:.3g}x over {format_duration(window.long)} and {short_burn:.3g}x over "
                f"{format_duration(window.short)} ({verb} above {window.factor:g}x)",
            )
    fastest = windows[0]
    shown = burns.get(fastest.long, burns.get(fastest.short, 0.0))
    return result(Status.PASS, f"burn rate {shown:.3g}x over {format_duration(fastest.long)}, below every threshold")
