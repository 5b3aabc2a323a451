"""Read ``checks.yml``: service checks and SLO specs, every error naming the file and line.

Layout (see examples/monitor/checks.yml)::

    checks:
      - name: api-error-ratio
        query: sum(rate(http_requests_total{code=~"5.."}[$window])) / sum(rate(http_requests_total[$window]))
        fail_when: "> 0.05"
    slos:
      - name: api-availability
        objective: 99.9
        total_query: sum(rate(http_requests_total[$window]))
        error_query: sum(rate(http_requests_total{code=~"5.."}[$window]))

A top-level list of checks and SLOs (an item with ``objective`` is an SLO) is accepted too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from opskit.core.errors import InputError
from opskit.core.findings import Location, Severity
from opskit.core.yamlfile import load_yaml
from opskit.monitor.durations import parse_duration
from opskit.monitor.interface import AnyCheck, CheckSpec, Condition, SloSpec
from opskit.monitor.slo import objective_ratio

_LINE = "__line__"
LINE_KEY = _LINE  # where each mapping of a checks file carries its line
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_CONDITION = re.compile(r"\s*(>=|<=|==|!=|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?inf)\s*")
CHECK_KEYS = frozenset(
    {"name", "query", "fail_when", "warn_when", "severity", "no_data", "window", "range", "step", "reduce", "title"}
)
SLO_KEYS = frozenset(
    {"name", "objective", "total_query", "error_query", "good_query", "period", "no_data", "severity", "title"}
)
_CHOICES = {"no_data": ("fail", "warn", "pass"), "reduce": ("max", "min", "avg", "last")}


def read_yaml(path: Path) -> Any:
    """Parse a checks file with each mapping's line under ``__line__`` (core's bounded loader)."""
    return load_yaml(path, "checks file", line_key=_LINE).data


class _Item:
    """One mapping of the file, with helpers that raise InputError at its line."""

    def __init__(self, data: Mapping[str, Any], path: Path, kind: str, keys: frozenset[str]) -> None:
        self.path = path
        self.line = int(data.get(_LINE, 0)) or None
        self.data = {k: v for k, v in data.items() if k != _LINE}
        self.kind = kind
        self.name = str(self.data.get("name", "?"))
        unknown = sorted(str(k) for k in self.data if k not in keys)
        if unknown:
            self.fail(f"unknown key {unknown[0]!r} (expected: {', '.join(sorted(keys))})")

    @property
    def location(self) -> Location:
        return Location(path=str(self.path), line=self.line)

    def fail(self, message: str) -> None:
        raise InputError(f"{self.location}: {self.kind} {self.name!r}: {message}")

    def text(self, key: str, default: str | None = None, required: bool = False) -> str | None:
        value = self.data.get(key, default)
        if value is None:
            if required:
                self.fail(f"missing {key!r}")
            return None
        if not isinstance(value, (str, int, float)) or isinstance(value, bool) or str(value).strip() == "":
            self.fail(f"{key!r} must be a non-empty string")
        text = str(value).strip()
        if key in _CHOICES and text not in _CHOICES[key]:
            self.fail(f"{key!r} must be one of {', '.join(_CHOICES[key])}, not {text!r}")
        return text

    def duration(self, key: str, default: str | None = None) -> str | None:
        text = self.text(key, default)
        if text is not None:
            try:
                parse_duration(text)
            except ValueError as exc:
                self.fail(f"{key}: {exc}")
        return text

    def condition(self, key: str) -> Condition | None:
        text = self.text(key)
        if text is None:
            return None
        match = _CONDITION.fullmatch(text)
        if not match:
            self.fail(f"{key} {text!r} must be a comparison and a number, like '> 0.05' or '<= 300'")
        assert match is not None
        return Condition(match[1], float(match[2]))

    def severity(self) -> Severity:
        text = self.text("severity", "high")
        try:
            return Severity.parse(text or "high")
        except ValueError as exc:
            self.fail(str(exc))
            raise


def _check(item: _Item) -> CheckSpec:
    fail_when, warn_when = item.condition("fail_when"), item.condition("warn_when")
    if fail_when is None and warn_when is None:
        item.fail("give 'fail_when', 'warn_when' or both (a comparison like '> 0.05')")
    return CheckSpec(
        name=item.text("name", required=True) or "",
        query=item.text("query", required=True) or "",
        fail_when=fail_when,
        warn_when=warn_when,
        severity=item.severity(),
        no_data=item.text("no_data", "fail"),  # type: ignore[arg-type]
        window=item.duration("window", "5m") or "5m",
        range=item.duration("range"),
        step=item.duration("step", "15s") or "15s",
        reduce=item.text("reduce", "max"),  # type: ignore[arg-type]
        title=item.text("title") or "",
        location=item.location,
    )


def _slo(item: _Item) -> SloSpec:
    objective = item.data.get("objective")
    if not isinstance(objective, (int, float)) or isinstance(objective, bool):
        item.fail("'objective' must be a number such as 0.999 or 99.9")
    assert isinstance(objective, (int, float))
    try:
        objective_ratio(objective)
    except ValueError as exc:
        item.fail(str(exc))
    error_query, good_query = item.text("error_query"), item.text("good_query")
    if (error_query is None) == (good_query is None):
        item.fail("give exactly one of 'error_query' and 'good_query'")
    return SloSpec(
        name=item.text("name", required=True) or "",
        objective=float(objective),
        total_query=item.text("total_query", required=True) or "",
        error_query=error_query,
        good_query=good_query,
        period=item.duration("period", "30d") or "30d",
        no_data=item.text("no_data", "warn"),  # type: ignore[arg-type]
        severity=item.severity(),
        title=item.text("title") or "",
        location=item.location,
    )


def parse_checks(data: Any, path: Path, extra_keys: frozenset[str] = frozenset()) -> list[AnyCheck]:
    """Checks and SLOs from parsed YAML (a mapping with ``checks``/``slos`` or a plain list)."""
    if isinstance(data, dict):
        unknown = sorted(str(k) for k in data if k not in ("checks", "slos", _LINE))
        if unknown:
            raise InputError(f"{path}: unknown top-level key {unknown[0]!r} (expected 'checks' and 'slos')")
        sections: list[tuple[Any, bool | None]] = [(data.get("checks") or [], False), (data.get("slos") or [], True)]
    elif isinstance(data, list):
        sections = [(data, None)]
    else:
        raise InputError(f"{path}: expected a mapping with 'checks' and 'slos', or a list of checks")
    checks: list[AnyCheck] = []
    for entries, slo in sections:
        if not isinstance(entries, list):
            raise InputError(f"{path}: 'checks' and 'slos' must be lists")
        for entry in entries:
            if not isinstance(entry, dict):
                raise InputError(f"{path}: every check must be a mapping, got {type(entry).__name__}")
            is_slo = slo if slo is not None else "objective" in entry
            kind, keys = ("SLO", SLO_KEYS) if is_slo else ("check", CHECK_KEYS)
            item = _Item(entry, path, kind, keys | extra_keys)
            spec = _slo(item) if is_slo else _check(item)
            if not _NAME.fullmatch(spec.name):
                item.fail("'name' may hold letters, digits, '.', '_' and '-' only")
            if any(c.name == spec.name for c in checks):
                item.fail("duplicate name")
            checks.append(spec)
    return checks


def load_checks(path: Path) -> list[AnyCheck]:
    """Checks and SLO specs from a ``checks.yml`` file (InputError with file:line on any problem)."""
    checks = parse_checks(read_yaml(path), path)
    if not checks:
        raise InputError(f"{path}: no checks or SLOs defined")
    return checks
