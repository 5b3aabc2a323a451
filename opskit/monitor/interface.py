"""The data of ``opskit monitor``: check specs, samples, results, gate settings and the client contract.

Everything here is plain frozen data so checks can come from a YAML file, from built-in rules or
from code (``opskit deploy`` builds ``CheckSpec`` objects from a playbook's inline checks).
"""

from __future__ import annotations

import operator
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from opskit.core.findings import Location, Severity, Verdict

COMPARATORS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
PARTS = ("server", "targets", "rules", "alerts", "checks")  # what ``monitor check`` looks at
Reducer = Literal["max", "min", "avg", "last"]
NoData = Literal["fail", "warn", "pass"]


class Status(StrEnum):
    """The outcome of one check; ``error`` means the query itself failed (counted by the gate)."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return (Status.PASS, Status.WARN, Status.ERROR, Status.FAIL).index(self)


@dataclass(frozen=True)
class Condition:
    """``value <op> threshold``: when it holds the check is in that state (alert-rule semantics)."""

    op: str
    threshold: float

    def __post_init__(self) -> None:
        if self.op not in COMPARATORS:
            raise ValueError(f"unknown comparison {self.op!r} (expected one of {' '.join(COMPARATORS)})")

    def holds(self, value: float) -> bool:
        return COMPARATORS[self.op](value, self.threshold)

    def __str__(self) -> str:
        return f"{self.op} {self.threshold:g}"


@dataclass(frozen=True)
class CheckSpec:
    """A PromQL check: fail (or warn) when the query's value meets a condition.

    Fields:
      name       unique name; the finding's rule id is ``monitor.check.<name>``.
      query      PromQL; ``$window`` is replaced by ``window``. Every returned series is judged,
                 the worst one decides.
      fail_when  Condition that makes the check fail, e.g. ``Condition(">", 0.05)``.
      warn_when  Condition that makes it warn (checked after ``fail_when``); give one or both.
      severity   severity of the finding when the check fails (a warning is always medium).
      no_data    what an empty result means: "fail" (default), "warn" or "pass".
      window     text for ``$window`` (a PromQL duration such as ``5m``).
      range      optional PromQL duration: evaluate with a range query over the last ``range``
                 and reduce each series with ``reduce`` (max, min, avg, last) at ``step``.
      title      one line saying what the check guards (default: the name).
      location   where the spec came from (checks file and line), or the endpoint.
      rule_id    override of the finding rule id (built-in server rules use ``monitor.server.*``).
    """

    name: str
    query: str
    fail_when: Condition | None = None
    warn_when: Condition | None = None
    severity: Severity = Severity.HIGH
    no_data: NoData = "fail"
    window: str = "5m"
    range: str | None = None
    step: str = "15s"
    reduce: Reducer = "max"
    title: str = ""
    location: Location | None = None
    rule_id: str = ""

    def __post_init__(self) -> None:
        if self.fail_when is None and self.warn_when is None:
            raise ValueError(f"check {self.name!r} needs fail_when, warn_when or both")

    @property
    def id(self) -> str:
        return self.rule_id or f"monitor.check.{self.name}"

    def rendered_query(self, window: str | None = None) -> str:
        return self.query.replace("$window", window or self.window)


@dataclass(frozen=True)
class SloSpec:
    """A service level objective judged by multi-window multi-burn-rate conditions.

    Fields:
      name          unique name; the finding's rule id is ``monitor.slo.<name>``.
      objective     target ratio of good events, e.g. 0.999 (99.9 is read as percent).
      total_query   PromQL for the event rate over ``$window`` (e.g. ``sum(rate(x_total[$window]))``).
      error_query   PromQL for the bad-event rate over ``$window``; or
      good_query    PromQL for the good-event rate (exactly one of the two).
      period        SLO period as a PromQL duration (default 30d); burn windows scale with it.
      no_data       what no traffic in every window means: "fail", "warn" (default) or "pass".
    """

    name: str
    objective: float
    total_query: str
    error_query: str | None = None
    good_query: str | None = None
    period: str = "30d"
    no_data: NoData = "warn"
    severity: Severity = Severity.HIGH
    title: str = ""
    location: Location | None = None

    @property
    def id(self) -> str:
        return f"monitor.slo.{self.name}"


AnyCheck = CheckSpec | SloSpec


@dataclass(frozen=True)
class Sample:
    """One series of a query result: its labels and a value (the reduced one for range queries)."""

    labels: Mapping[str, str]
    value: float

    def label_text(self) -> str:
        shown = {k: v for k, v in sorted(self.labels.items()) if k != "__name__"}
        return "{" + ", ".join(f'{k}="{v}"' for k, v in shown.items()) + "}" if shown else ""


@dataclass(frozen=True)
class CheckResult:
    """One judged check: its status, a one-line reason, and the measured value if any."""

    id: str
    name: str
    status: Status
    reason: str
    title: str = ""
    value: float | None = None
    severity: Severity = Severity.HIGH  # when it fails; a warning is always medium
    location: Location | None = None
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def finding_severity(self) -> Severity:
        return Severity.MEDIUM if self.status is Status.WARN else self.severity

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status.value,
            "reason": self.reason,
            "value": self.value,
            "location": str(self.location) if self.location else None,
            **({"details": dict(self.details)} if self.details else {}),
        }


class QueryError(Exception):
    """Prometheus answered but refused or failed the query; ``kind`` is its errorType."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class PrometheusClient(ABC):
    """What monitor needs from a Prometheus server; one adapter per HTTP library implements it.

    Methods raise ``opskit.core.errors.ServiceError`` when the server is unreachable or refuses
    the credentials, and ``QueryError`` when it rejects or fails a query.
    """

    url: str

    @abstractmethod
    def query(self, promql: str) -> list[Sample]:
        """Instant query at now."""

    @abstractmethod
    def query_range(self, promql: str, seconds: float, step: str, reduce: Reducer) -> list[Sample]:
        """Range query over the last ``seconds``, each series reduced to one value."""

    @abstractmethod
    def api(self, path: str, **params: str) -> Any:
        """GET ``/api/v1/<path>`` and return its ``data`` (targets, rules, alerts, status/...)."""

    @abstractmethod
    def probe(self, path: str) -> tuple[int, str]:
        """GET a plain endpoint such as ``/-/healthy``; its status code and body."""


@dataclass(frozen=True)
class GateSettings:
    """Argo-Rollouts-style analysis: rounds of checks and how many bad rounds are tolerated."""

    interval: float = 10.0  # seconds between rounds
    count: int = 5  # rounds
    failure_limit: int = 0  # failed rounds tolerated; more => failed
    consecutive_error_limit: int = 4  # consecutive query-error rounds tolerated; more => failed
    inconclusive_limit: int = 0  # warning rounds tolerated; more => inconclusive




@dataclass(frozen=True)
class GateRound:
    """One round of the gate: when it ran, its overall status and every check's result."""

    number: int
    status: Status
    results: Sequence[CheckResult]

    def to_dict(self) -> dict[str, Any]:
        return {
            "round": self.number,
            "status": self.status.value,
            "checks": [r.to_dict() for r in self.results],
        }


@dataclass(frozen=True)
class GateResult:
    """The gate's verdict, why, and every round it ran."""

    verdict: Verdict
    reason: str
    rounds: Sequence[GateRound]
