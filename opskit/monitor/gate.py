"""The metric gate ``opskit deploy`` waits on: rounds of checks judged with Argo Rollouts' analysis rules.

A round fails when any check fails, is an error round when a query failed (or the server did
not answer) and none failed, and is inconclusive when the worst check only warns. The gate stops
as soon as a limit is exceeded; otherwise it is successful after ``count`` rounds.

Use from code::

    from opskit.monitor.gate import CheckSpec, Condition, GateSettings, connect, run_gate
    client = connect("http://prometheus:9090", token_env="PROM_TOKEN")
    check = CheckSpec(name="error-ratio", query="...", fail_when=Condition(">", 0.05))
    result = run_gate(client, [check], GateSettings(interval=30, count=10))
    result.verdict  # "successful" | "failed" | "inconclusive"
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from opskit.core.errors import InputError, OpskitError, UsageError
from opskit.core.findings import Verdict
from opskit.monitor.checks_file import load_checks
from opskit.monitor.client import connect
from opskit.monitor.evaluate import run_checks
from opskit.monitor.interface import (
    AnyCheck,
    CheckResult,
    CheckSpec,
    Condition,
    GateResult,
    GateRound,
    GateSettings,
    PrometheusClient,
    SloSpec,
    Status,
)

__all__ = [
    "CheckSpec",
    "Condition",
    "GateResult",
    "GateSettings",
    "SloSpec",
    "connect",
    "load_checks",
    "round_status",
    "run_gate",
]


def round_status(results: Sequence[CheckResult]) -> Status:
    """The worst status of a round: fail over error over warn over pass."""
    return max((r.status for r in results), key=lambda s: s.rank, default=Status.PASS)


def _first(results: Sequence[CheckResult], status: Status) -> str:
    hit = next((r for r in results if r.status is status), None)
    return f"{hit.name}: {hit.reason}" if hit else ""


def _validate(checks: Sequence[AnyCheck], settings: GateSettings) -> None:
    if not checks:
        raise UsageError("the gate needs at least one check")
    if settings.count < 1:
        raise UsageError(f"count must be at least 1, not {settings.count}")
    if settings.interval < 0:
        raise UsageError(f"interval must not be negative, not {settings.interval:g}")
    limits = (settings.failure_limit, settings.consecutive_error_limit, settings.inconclusive_limit)
    if min(limits) < 0:
        raise UsageError("failure, consecutive-error and inconclusive limits must not be negative")


def _run_round(client: PrometheusClient, checks: Sequence[AnyCheck], number: int) -> GateRound:
    """One round; anything but a rejected query (exit 2) going wrong is an error round, never a crash."""
    try:
        results = run_checks(client, checks)
    except InputError:
        raise
    except OpskitError as exc:  # the server went away or answered garbage: an error round
        results = [_error_result(exc.message)]
    except Exception as exc:  # noqa: BLE001 - fail closed: a bug while judging proves nothing either
        results = [_error_result(f"{type(exc).__name__}: {exc}")]
    return GateRound(number=number, status=round_status(results), results=results)


def _error_result(reason: str) -> CheckResult:
    return CheckResult(id="monitor.gate.unreachable", name="prometheus", status=Status.ERROR, reason=reason)


def run_gate(
    client: PrometheusClient,
    checks: Sequence[AnyCheck],
    settings: GateSettings,
    sleep: Callable[[float], None] = time.sleep,
    on_round: Callable[[GateRound], None] | None = None,
) -> GateResult:
    """Run up to ``settings.count`` rounds ``settings.interval`` apart and return the verdict.

    Fails closed: every limit counts what is tolerated (``failure_limit=0`` fails on the first
    failed round); an error round counts against ``consecutive_error_limit`` and, like a warning
    round, against ``inconclusive_limit``; and a gate with fewer evaluated rounds than ``count``
    is never successful. Invalid PromQL is an ``InputError`` (exit 2) straight away.
    """
    _validate(checks, settings)
    rounds: list[GateRound] = []
    failed = inconclusive = errors_in_a_row = 0
    for number in range(1, settings.count + 1):
        if number > 1:
            sleep(settings.interval)
        current = _run_round(client, checks, number)
        rounds.append(current)
        if on_round is not None:
            on_round(current)
        if current.status is Status.FAIL:
            failed += 1
            errors_in_a_row = 0
        elif current.status is Status.ERROR:
            errors_in_a_row += 1
            inconclusive += 1
        else:
            errors_in_a_row = 0
            inconclusive += current.status is Status.WARN
        if failed > settings.failure_limit:
            return GateResult(
                Verdict.FAILED,
                f"{failed} failed round(s), more than the {settings.failure_limit} tolerated; "
                f"round {number}: {_first(current.results, Status.FAIL)}",
                rounds,
            )
        if errors_in_a_row > settings.consecutive_error_limit:
            return GateResult(
                Verdict.INCONCLUSIVE,
                f"{errors_in_a_row} consecutive round(s) with query errors, more than the "
                f"{settings.consecutive_error_limit} tolerated; {_first(current.results, Status.ERROR)}",
                rounds,
            )
        if inconclusive > settings.inconclusive_limit:
            worst = Status.ERROR if current.status is Status.ERROR else Status.WARN
            return GateResult(
                Verdict.INCONCLUSIVE,
                f"{inconclusive} round(s) with warnings or errors, more than the {settings.inconclusive_limit} "
                f"tolerated; round {number}: {_first(current.results, worst)}",
                rounds,
            )
    errored = [r for r in rounds if r.status is Status.ERROR]
    if errored:
        evaluated = len(rounds) - len(errored)
        last = errored[-1]
        return GateResult(
            Verdict.INCONCLUSIVE,
            f"only {evaluated} of {settings.count} round(s) could be evaluated; "
            f"round {last.number}: {_first(last.results, Status.ERROR)}",
            rounds,
        )
    summary = f"{len(rounds)} round(s), {failed} failed (limit {settings.failure_limit})"
    return GateResult(Verdict.SUCCESSFUL, summary, rounds)
