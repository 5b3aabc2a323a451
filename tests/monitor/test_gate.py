"""Gate semantics (Argo Rollouts analysis) over a scripted client: limits, errors, inconclusive."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from opskit.core.errors import InputError, ServiceError, UsageError
from opskit.monitor.gate import CheckSpec, Condition, GateSettings, run_gate
from opskit.monitor.interface import PrometheusClient, QueryError, Reducer, Sample

CHECK = CheckSpec(name="errors", query="error_ratio", fail_when=Condition(">", 0.05), warn_when=Condition(">", 0.01))


class ScriptedClient(PrometheusClient):
    """Answers each instant query with the next scripted value (a float, or an exception to raise)."""

    url = "http://prometheus.test:9090"

    def __init__(self, script: list[float | Exception]) -> None:
        self._script: Iterator[float | Exception] = iter(script)
        self.queries = 0

    def query(self, promql: str) -> list[Sample]:
        self.queries += 1
        step = next(self._script)
        if isinstance(step, Exception):
            raise step
        return [Sample(labels={"job": "api"}, value=step)]

    def query_range(self, promql: str, seconds: float, step: str, reduce: Reducer) -> list[Sample]:
        raise AssertionError("not used")

    def api(self, path: str, **params: str) -> Any:
        raise AssertionError("not used")

    def probe(self, path: str) -> tuple[int, str]:
        raise AssertionError("not used")


def gate(script: list[float | Exception], **settings: Any) -> tuple[Any, list[float]]:
    sleeps: list[float] = []
    result = run_gate(ScriptedClient(script), [CHECK], GateSettings(**{"interval": 7.0, **settings}), sleeps.append)
    return result, sleeps


def test_healthy_rounds_are_successful_and_sleep_between_rounds_only() -> None:
    result, sleeps = gate([0.0, 0.001, 0.0], count=3)
    assert result.verdict == "successful"
    assert len(result.rounds) == 3
    assert sleeps == [7.0, 7.0]


def test_fails_as_soon_as_failures_exceed_the_limit() -> None:
    result, _ = gate([0.2, 0.0, 0.3, 0.0, 0.0], count=5, failure_limit=1)
    assert result.verdict == "failed"
    assert [r.number for r in result.rounds] == [1, 2, 3]
    assert result.reason.startswith("2 failed round(s), more than the 1 tolerated; round 3: errors: 0.3 > 0.05")


def test_zero_failure_limit_fails_on_the_first_failed_round() -> None:
    result, sleeps = gate([0.5], count=5)
    assert result.verdict == "failed" and len(result.rounds) == 1 and sleeps == []


def test_consecutive_query_errors_beyond_the_limit_are_inconclusive() -> None:
    boom = QueryError("execution", "query timed out")
    result, _ = gate([boom, boom, boom], count=5, consecutive_error_limit=2, inconclusive_limit=5)
    assert result.verdict == "inconclusive"
    assert "3 consecutive round(s) with query errors" in result.reason and "query timed out" in result.reason


def test_error_rounds_count_against_the_inconclusive_limit() -> None:
    boom = QueryError("execution", "query timed out")
    result, _ = gate([0.0, boom, boom], count=5, consecutive_error_limit=4, inconclusive_limit=1)
    assert result.verdict == "inconclusive"
    assert [r.status.value for r in result.rounds] == ["pass", "error", "error"]
    assert "2 round(s) with warnings or errors, more than the 1 tolerated; round 3" in result.reason


def test_a_good_round_resets_the_error_streak_but_the_gate_stays_inconclusive() -> None:
    boom = QueryError("execution", "query timed out")
    result, _ = gate([boom, boom, 0.0, boom, boom], count=5, consecutive_error_limit=2, inconclusive_limit=9)
    assert result.verdict == "inconclusive"
    assert len(result.rounds) == 5
    assert result.reason.startswith("only 1 of 5 round(s) could be evaluated; round 5: errors: query failed")


def test_prometheus_dying_after_round_one_is_never_successful() -> None:
    """The run from the issue: round 1 passes, rounds 2 and 3 cannot reach the server."""
    down = ServiceError("http://prometheus.test:9090/api/v1/query: unreachable (connection refused)")
    result, _ = gate([0.0, down, down], count=3, consecutive_error_limit=3, inconclusive_limit=3)
    assert result.verdict == "inconclusive"
    assert [r.status.value for r in result.rounds] == ["pass", "error", "error"]
    assert "only 1 of 3 round(s) could be evaluated" in result.reason
    assert "connection refused" in result.reason


def test_any_exception_while_judging_is_an_error_round() -> None:
    result, _ = gate([0.0, AttributeError("'str' object has no attribute 'get'")], count=2, inconclusive_limit=3)
    assert result.verdict == "inconclusive"
    assert result.rounds[1].results[0].reason == "AttributeError: 'str' object has no attribute 'get'"


def test_only_errors_is_inconclusive() -> None:
    boom = QueryError("execution", "query timed out")
    result, _ = gate([boom, boom], count=2, inconclusive_limit=5)
    assert result.verdict == "inconclusive" and "only 0 of 2 round(s) could be evaluated" in result.reason


def test_warnings_beyond_the_inconclusive_limit() -> None:
    result, _ = gate([0.02, 0.02, 0.0], count=3, inconclusive_limit=1)
    assert result.verdict == "inconclusive"
    assert len(result.rounds) == 2


def test_invalid_promql_stops_the_gate_with_an_input_error() -> None:
    with pytest.raises(InputError, match="Prometheus rejected the query: parse error"):
        gate([QueryError("bad_data", "parse error at char 5")], count=3)


@pytest.mark.parametrize(
    "settings", [{"count": 0}, {"interval": -1.0}, {"failure_limit": -1}, {"consecutive_error_limit": -2}]
)
def test_bad_settings(settings: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        gate([0.0], **settings)
