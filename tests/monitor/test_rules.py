"""Every built-in server rule: its query is valid data and its examples get the expected status."""

from __future__ import annotations

import math

import pytest

from opskit.monitor.checks_file import read_yaml
from opskit.monitor.health import SERVER_RULES, server_rules
from opskit.monitor.interface import Sample, Status
from opskit.monitor.judge import judge_check

RAW = {entry["name"]: entry for entry in read_yaml(SERVER_RULES)["checks"]}
EXAMPLES = [
    pytest.param(spec, example["value"], Status(example["status"]), id=f"{spec.name}={example['value']}")
    for spec in server_rules()
    for example in RAW[spec.name]["examples"]
]


def test_every_rule_has_a_passing_and_a_non_passing_example() -> None:
    for spec in server_rules():
        statuses = {e["status"] for e in RAW[spec.name]["examples"]}
        assert "pass" in statuses and statuses - {"pass"}, spec.name
        assert spec.id == f"monitor.server.{spec.name}" and spec.title


@pytest.mark.parametrize(("spec", "value", "expected"), EXAMPLES)
def test_rule_example(spec, value: float, expected: Status) -> None:  # type: ignore[no-untyped-def]
    result = judge_check(spec, [Sample(labels={"instance": "prom:9090"}, value=float(value))])
    assert result.status is expected, result.reason
    if expected is not Status.PASS and not math.isnan(value):
        assert 'instance="prom:9090"' in result.reason
