"""The contract of a live check and the limits it judges against."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from opskit.core.findings import Severity
from opskit.monitor.lint.interface import Group, ParsedRule, Problem, Settings
from opskit.monitor.lint.live.fetch import Fetcher
from opskit.monitor.lint.promql import Span


@dataclass(frozen=True)
class LiveLimits:
    """Thresholds and the fixed ``now`` every range query ends at (same input, same queries)."""

    now: float
    history: float = 86400.0  # seconds of alert history to replay
    max_series: int = 10_000
    max_samples: int = 5_000_000
    max_firings: int = 10  # more than this many firings in ``history`` is flapping
    retention: float = 15 * 86400.0


@dataclass(frozen=True)
class Live:
    """What every live check works from: the parsed rules and groups, settings refined by the
    server, the limits, and the shared fetcher."""

    rules: Sequence[ParsedRule]
    groups: Sequence[Group]
    settings: Settings
    limits: LiveLimits
    fetch: Fetcher


class LiveCheck(ABC):
    id: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[Severity] = Severity.HIGH

    @abstractmethod
    def run(self, live: Live) -> Iterator[Problem]:
        """Problems found on the server."""

    def problem(
        self,
        parsed: ParsedRule,
        message: str,
        span: Span | None = None,
        severity: Severity | None = None,
        **details: Any,
    ) -> Problem:
        return Problem(self.id, message, severity or self.severity, parsed.rule, span, "expr", details=details)
