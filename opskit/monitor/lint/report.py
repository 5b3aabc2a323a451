"""Problems onto the shared findings model: each placed at the line and column of the offending part."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opskit.core.findings import Finding, Location, Report, fingerprint
from opskit.monitor.lint.interface import Problem

CHECK_TITLES: dict[str, str] = {"rules/structure": "rule file Prometheus would not load"}


def _balanced(text: str, start: int, end: int) -> str:
    """``text[start:end]`` extended to close the brackets it opens, so a snippet reads as PromQL."""
    depth = 0
    for index in range(start, len(text)):
        if index >= end and depth <= 0:
            return text[start:index]
        char = text[index]
        depth += char in "([{"
        depth -= char in ")]}"
    return text[start:]


def location(problem: Problem) -> Location:
    if problem.place is not None:
        path, line, column = problem.place
        return Location(path=path, line=line, column=column)
    rule = problem.rule
    assert rule is not None
    if problem.span is not None and problem.key == "expr":
        line, column = rule.expr_map.at(problem.span.start)
        end_line, end_column = rule.expr_map.at(max(problem.span.start, problem.span.end - 1))
        snippet = _balanced(rule.expr, problem.span.start, problem.span.end)[:120] or None
        return Location(rule.path, line, column, end_line, end_column + 1, snippet)
    if problem.key == "expr":
        return Location(rule.path, rule.expr_map.line, rule.expr_map.column)
    line, column = rule.place(problem.key)
    return Location(rule.path, line, column)


def to_finding(problem: Problem, titles: Mapping[str, str]) -> Finding:
    where = location(problem)
    rule = problem.rule
    name = rule.name if rule else ""
    properties: dict[str, Any] = dict(problem.details)
    if rule is not None:
        properties.update({"rule": rule.name, "kind": rule.kind.value, "group": rule.group})
    return Finding(
        rule_id=problem.check,
        title=titles.get(problem.check, problem.check),
        severity=problem.severity,
        confidence=problem.confidence,
        message=f"{rule.kind.value} {name}: {problem.message}" if rule else problem.message,
        location=where,
        fingerprint=fingerprint(problem.check, where.path, name, problem.message),
        properties=properties,
    )


def lint_report(
    problems: Sequence[Problem], titles: Mapping[str, str], data: Mapping[str, Any], notes: Sequence[str]
) -> Report:
    findings = sorted(
        (to_finding(p, {**CHECK_TITLES, **titles}) for p in problems),
        key=lambda f: (f.location.path, f.location.line or 0, f.location.column or 0, f.rule_id, f.message),
    )
    return Report(command="monitor lint", findings=findings, data=dict(data), notes=notes)
