"""The offline checks, one module each; ``OFFLINE_CHECKS`` is the order they run and report in."""

from __future__ import annotations

from opskit.monitor.lint.checks.absent_labels import AbsentLabels
from opskit.monitor.lint.checks.alert_for import AlertFor
from opskit.monitor.lint.checks.comparison import ComparisonCheck
from opskit.monitor.lint.checks.counter_without_rate import CounterWithoutRate
from opskit.monitor.lint.checks.dropped_label import DroppedLabel
from opskit.monitor.lint.checks.duplicate import DuplicateRule
from opskit.monitor.lint.checks.range_too_short import RangeTooShort
from opskit.monitor.lint.checks.rate_on_gauge import RateOnGauge
from opskit.monitor.lint.checks.record_name import RecordName
from opskit.monitor.lint.checks.regexp import RegexpCheck
from opskit.monitor.lint.checks.required import RequiredFields
from opskit.monitor.lint.checks.syntax import SyntaxCheck
from opskit.monitor.lint.interface import Check

OFFLINE_CHECKS: tuple[Check, ...] = (
    SyntaxCheck(),
    RateOnGauge(),
    CounterWithoutRate(),
    RangeTooShort(),
    ComparisonCheck(),
    DroppedLabel(),
    AbsentLabels(),
    AlertFor(),
    RegexpCheck(),
    DuplicateRule(),
    RecordName(),
    RequiredFields(),
)
