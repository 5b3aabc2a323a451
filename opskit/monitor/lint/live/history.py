"""live/alert-history: replay each alert over the last --history with its ``for`` and count how often
it would have fired; many firings is a flapping alert."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from opskit.core.findings import Severity
from opskit.monitor.durations import format_duration
from opskit.monitor.lint.interface import ParsedRule, Problem, RuleKind, Settings
from opskit.monitor.lint.live.base import Live, LiveCheck, LiveLimits
from opskit.monitor.lint.live.fetch import Request

MAX_POINTS = 10_000  # Prometheus refuses more than 11,000 points per series


@dataclass(frozen=True)
class Replay:
    """How an alert would have behaved: firings (pending -> firing transitions) over ``seconds``."""

    rule: str
    path: str
    firings: int
    series: int
    seconds: float
    step: float
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"alert": self.rule, "path": self.path, "firings": self.firings, "series": self.series,
                "seconds": self.seconds, "step": self.step, "error": self.error}


def count_firings(times: Sequence[float], step: float, hold: float) -> int:
    """Firings of one series present at ``times`` (sorted): a run of consecutive steps fires once
    it has lasted ``hold`` seconds (Prometheus' ``for``)."""
    firings = 0
    start = previous = None
    fired = False
    for t in times:
        if previous is None or t - previous > step * 1.5:
            start, fired = t, False
        previous = t
        assert start is not None
        if not fired and t - start >= hold:
            firings += 1
            fired = True
    return firings


def _times(series: dict[str, Any]) -> list[float]:
    """Timestamps of a range-query series; malformed points are skipped."""
    times = []
    for point in series.get("values") or []:
        try:
            times.append(float(point[0]))
        except (TypeError, ValueError, IndexError, KeyError):
            continue
    return times


def _step(parsed: ParsedRule, settings: Settings, limits: LiveLimits) -> float:
    interval = parsed.rule.group_interval or settings.evaluation_interval
    return max(interval, limits.history / MAX_POINTS)


def _request(parsed: ParsedRule, settings: Settings, limits: LiveLimits) -> Request:
    step = _step(parsed, settings, limits)
    params = {"query": parsed.rule.expr, "start": f"{limits.now - limits.history:.3f}",
              "end": f"{limits.now:.3f}", "step": f"{step:g}"}
    return Request("query_range", tuple(sorted(params.items())))


def replays(live: Live) -> list[Replay]:
    """Every alert of ``live`` replayed over its history (one range query each, fetched together)."""
    rules, settings, limits, fetch = live.rules, live.settings, live.limits, live.fetch
    alerts = [p for p in rules if p.rule.kind is RuleKind.ALERT and p.expr is not None]
    answers = fetch(_request(p, settings, limits) for p in alerts)
    out = []
    for parsed in alerts:
        step = _step(parsed, settings, limits)
        answer = answers[_request(parsed, settings, limits)]
        result = answer.series()
        hold = parsed.rule.for_seconds or 0.0
        firings = sum(count_firings(_times(series), step, hold) for series in result)
        out.append(Replay(parsed.rule.name, parsed.rule.path, firings, len(result), limits.history, step, answer.error))
    return out


class AlertHistory(LiveCheck):
    id = "live/alert-history"
    title = "alert would have fired too often"
    severity = Severity.MEDIUM

    def run(self, live: Live) -> Iterator[Problem]:
        limits = live.limits
        by_name = {(p.rule.name, p.rule.path): p for p in live.rules}
        for replay in replays(live):
            if replay.firings > limits.max_firings:
                yield self.problem(
                    by_name[(replay.rule, replay.path)],
                    f"would have fired {replay.firings} times in the last {format_duration(limits.history)} "
                    f"(limit {limits.max_firings}): it flaps; raise 'for' or smooth the query",
                    firings=replay.firings,
                )
