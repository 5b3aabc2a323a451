"""``opskit monitor lint``: read -> prepare -> analyse (offline, then live) -> choose -> report."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from opskit.core.findings import Report
from opskit.monitor.durations import format_duration
from opskit.monitor.interface import PrometheusClient
from opskit.monitor.lint.checks import OFFLINE_CHECKS
from opskit.monitor.lint.gitdiff import changed_lines
from opskit.monitor.lint.interface import ParsedRule, Problem, Rule, RuleSet, Settings
from opskit.monitor.lint.live.base import Live, LiveCheck, LiveLimits
from opskit.monitor.lint.live.cost import QueryCost, QueryError
from opskit.monitor.lint.live.facts import server_settings
from opskit.monitor.lint.live.fetch import Fetcher
from opskit.monitor.lint.live.history import AlertHistory, Replay, replays
from opskit.monitor.lint.live.matching import VectorMatching
from opskit.monitor.lint.live.series import LabelMissing, SeriesMissing
from opskit.monitor.lint.live.slow_group import SlowGroup
from opskit.monitor.lint.loader import load_files
from opskit.monitor.lint.promql import PromQLSyntaxError, parse
from opskit.monitor.lint.report import lint_report

LIVE_CHECKS: tuple[LiveCheck, ...] = (SeriesMissing(), VectorMatching(), QueryCost(), AlertHistory(), SlowGroup())
TITLES = {c.id: c.title for c in OFFLINE_CHECKS} | {c.id: c.title for c in LIVE_CHECKS}
TITLES[LabelMissing.id] = LabelMissing.title
TITLES[QueryError.id] = QueryError.title


@dataclass(frozen=True)
class LintRequest:
    """What to lint and how: the CLI's options as data (durations in seconds)."""

    paths: Sequence[Path]
    settings: Settings = field(default_factory=Settings)
    staged: bool = False
    base: str | None = None
    history: float = 86400.0
    max_series: int = 10_000
    max_samples: int = 5_000_000
    max_firings: int = 10
    jobs: int = 8


def prepare(rules: Sequence[Rule]) -> list[ParsedRule]:
    """Parse every rule's expression once; a syntax error is kept for the syntax check."""
    parsed = []
    for rule in rules:
        try:
            parsed.append(ParsedRule(rule, parse(rule.expr)))
        except PromQLSyntaxError as exc:
            parsed.append(ParsedRule(rule, None, str(exc), exc.span))
    return parsed


def offline_problems(rules: Sequence[ParsedRule], settings: Settings) -> list[Problem]:
    return [problem for check in OFFLINE_CHECKS for problem in check.run_all(rules, settings)]


def _changed(problem: Problem, changes: dict[Path, set[int]]) -> bool:
    if problem.place is not None:
        path, first, last = problem.place[0], problem.place[1], problem.place[1]
    else:
        assert problem.rule is not None
        path, (first, last) = problem.rule.path, problem.rule.lines
    lines = changes.get(Path(path).resolve(), set())
    return any(first <= n <= last for n in lines)


def history_note(history: Sequence[Replay], seconds: float) -> str:
    """One line: how many alerts would have fired over the replayed history, and the busiest."""
    fired = sorted((r for r in history if r.firings), key=lambda r: (-r.firings, r.rule))
    text = (f"alert replay over the last {format_duration(seconds)}: "
            f"{len(fired)} of {len(history)} alert(s) would have fired")
    if fired:
        text += " (most: " + ", ".join(f"{r.rule} {r.firings}x" for r in fired[:3]) + ")"
    return text


def lint(request: LintRequest, client: PrometheusClient | None = None) -> Report:
    """Lint the rule files; with a client also against the live server."""
    loaded: RuleSet = load_files(request.paths)
    rules = prepare(loaded.rules)
    settings = request.settings
    problems: list[Problem] = list(loaded.problems)
    data: dict[str, object] = {"files": len({r.path for r in loaded.rules}), "rules": len(rules)}
    notes: list[str] = [] if rules else ["no rule groups found in the given files"]
    if client is not None:
        fetch = Fetcher(client, request.jobs)
        settings, retention = server_settings(settings, fetch)
        limits = LiveLimits(
            now=time.time(),
            history=request.history,
            max_series=request.max_series,
            max_samples=request.max_samples,
            max_firings=request.max_firings,
            retention=retention or 15 * 86400.0,
        )
        live = Live([p for p in rules if p.expr is not None], loaded.groups, settings, limits, fetch)
        for check in LIVE_CHECKS:
            problems += check.run(live)
        data["prometheus"] = client.url
        history = replays(live)
        data["alert_history"] = [r.to_dict() for r in history]
        data["requests"] = fetch.sent
        notes.append(history_note(history, limits.history))
    problems = offline_problems(rules, settings) + problems
    if request.staged or request.base:
        changes = changed_lines(request.paths[0], request.staged, request.base)
        before = len(problems)
        problems = [p for p in problems if _changed(p, changes)]
        notes.append(f"{before - len(problems)} finding(s) on unchanged rules not shown (--staged/--base)")
    return lint_report(problems, TITLES, data, notes)
