"""The data of ``opskit monitor lint``: rules as loaded, what checks see, what they report.

Pipeline: loader (files -> Rule) -> prepare (PromQL -> ParsedRule) -> checks (-> Problem)
-> choose (changed lines only with --staged/--base) -> report (Problem -> Finding).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from opskit.core.findings import Confidence, Severity
from opskit.monitor.lint.promql import Node, Span


class RuleKind(StrEnum):
    ALERT = "alert"
    RECORD = "record"


@dataclass(frozen=True)
class TextMap:
    """1-based line and column in the file of each character of a YAML scalar's value."""

    lines: tuple[int, ...]
    columns: tuple[int, ...]
    line: int  # where the scalar starts (for empty values)
    column: int

    def at(self, offset: int) -> tuple[int, int]:
        if not self.lines:
            return self.line, self.column
        offset = min(max(offset, 0), len(self.lines) - 1)
        return self.lines[offset], self.columns[offset]


@dataclass(frozen=True)
class Rule:
    """One alerting or recording rule as Prometheus would load it, and where each part is.

    ``places`` maps ``rule``, ``name``, ``for``, ``labels``, ``annotations``, ``labels.<k>`` and
    ``annotations.<k>`` to (line, column); ``expr_map`` places every character of ``expr``.
    """

    kind: RuleKind
    name: str
    expr: str
    path: str
    group: str
    group_interval: float | None  # seconds; None: the server's evaluation_interval
    for_seconds: float | None = None  # None: no ``for``
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    places: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    expr_map: TextMap = TextMap((), (), 0, 0)
    lines: tuple[int, int] = (0, 0)  # first and last line of the rule in its file

    def place(self, key: str) -> tuple[int, int]:
        return self.places.get(key) or self.places["rule"]


@dataclass(frozen=True)
class Group:
    """A rule group: its name, interval and where it is (for the slow-group check)."""

    name: str
    path: str
    interval: float | None
    line: int
    column: int


@dataclass(frozen=True)
class RuleSet:
    """Everything loaded: rules, groups and problems found while loading (bad YAML shape)."""

    rules: Sequence[Rule]
    groups: Sequence[Group]
    problems: Sequence[Problem] = ()


@dataclass(frozen=True)
class ParsedRule:
    """A rule with its parsed expression, or the parser's error."""

    rule: Rule
    expr: Node | None
    error: str | None = None
    error_span: Span | None = None  # where the syntax error is, when the message says


@dataclass(frozen=True)
class Settings:
    """What the checks assume; live facts (metadata, scrape intervals) refine it when --url is given."""

    scrape_interval: float = 30.0  # kube-prometheus' defaults; Prometheus' own are 1m, many set 15s
    evaluation_interval: float = 30.0
    required_labels: tuple[str, ...] = ("severity",)
    required_annotations: tuple[str, ...] = ("summary", "runbook_url")
    metric_types: Mapping[str, str] = field(default_factory=dict)  # from /api/v1/metadata
    job_intervals: Mapping[str, float] = field(default_factory=dict)  # from /api/v1/targets

    def interval_for(self, job: str | None) -> float:
        return self.job_intervals.get(job or "", self.scrape_interval)


@dataclass(frozen=True)
class Problem:
    """A check's finding before it is placed: which rule, which part (``expr`` span or a key)."""

    check: str
    message: str
    severity: Severity
    rule: Rule | None = None
    span: Span | None = None
    key: str = "expr"
    place: tuple[str, int, int] | None = None  # explicit path, line, column (groups, files)
    confidence: Confidence = Confidence.HIGH
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)


class Check(ABC):
    """One offline check; ``bad`` examples must make it report, ``good`` ones must not.

    Examples are the ``rules:`` list of one group, as YAML.
    """

    id: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[Severity] = Severity.MEDIUM
    bad: ClassVar[tuple[str, ...]] = ()
    good: ClassVar[tuple[str, ...]] = ()

    def run_all(self, rules: Sequence[ParsedRule], settings: Settings) -> Iterator[Problem]:
        """Every problem over all rules; cross-rule checks override this."""
        for parsed in rules:
            yield from self.run(parsed, settings)

    @abstractmethod
    def run(self, parsed: ParsedRule, settings: Settings) -> Iterable[Problem]:
        """Problems of one rule."""

    def problem(
        self,
        parsed: ParsedRule,
        message: str,
        span: Span | None = None,
        key: str = "expr",
        severity: Severity | None = None,
        confidence: Confidence = Confidence.HIGH,
        **details: Any,
    ) -> Problem:
        return Problem(self.id, message, severity or self.severity, parsed.rule, span, key, confidence=confidence,
                       details=details)
