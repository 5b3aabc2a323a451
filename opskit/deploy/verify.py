"""Prove a deployed version healthy: HTTP health checks first, then the monitor feature's Prometheus gate.

HTTP checks retry (a new container needs a moment to listen); the gate is ``opskit.monitor.gate``
itself, so deploy and ``opskit monitor gate`` judge metrics the same way.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence

import requests

from opskit.core.errors import OpskitError
from opskit.core.redact import mask_dsn, scrub
from opskit.deploy.interface import HttpCheck, LineSink, PrometheusGateSpec, Verification, VerificationResult, Verifier
from opskit.monitor.gate import run_gate
from opskit.monitor.interface import GateRound

HttpGet = Callable[[str, float], int]
"""GET a URL with a timeout and return the status code (raises requests' exceptions)."""


def http_status(url: str, timeout: float) -> int:
    """The status code of a plain GET, without following redirects."""
    with requests.get(url, timeout=timeout, allow_redirects=False) as response:
        return response.status_code


def run_http_check(
    check: HttpCheck, get: HttpGet = http_status, sleep: Callable[[float], None] = time.sleep
) -> VerificationResult:
    """Try ``check.retries`` times, ``check.interval`` apart, until the URL answers the expected status."""
    detail, name = "", f"http {mask_dsn(check.url)}"  # a URL may carry user:password@
    for attempt in range(1, check.retries + 1):
        if attempt > 1:
            sleep(check.interval)
        try:
            status = get(check.url, check.timeout)
        except requests.RequestException as exc:
            detail = f"no answer ({type(exc).__name__})"
            continue
        if status == check.expect_status:
            return VerificationResult(name, True, f"answered {status} (attempt {attempt})")
        detail = f"answered {status}, expected {check.expect_status}"
    return VerificationResult(name, False, f"{detail} after {check.retries} attempt(s)")


def _gate_round_line(spec: PrometheusGateSpec, round_: GateRound) -> str:
    worst = ", ".join(f"{r.name} {r.status.value}" for r in round_.results)
    return f"gate round {round_.number}/{spec.settings.count}: {round_.status.value} ({worst})"


def run_prometheus_gate(spec: PrometheusGateSpec, log: LineSink) -> tuple[str, tuple[VerificationResult, ...]]:
    """Run the monitor gate; return its verdict and a failed result per round and check that did not pass.

    A Prometheus that cannot be reached proves nothing about the new version: the verdict is
    inconclusive, which fails verification (and so rolls back), as Argo Rollouts does.
    """
    try:
        client = spec.connection.open()
    except OpskitError as exc:
        log(f"gate inconclusive: {exc.message}")
        return "inconclusive", (VerificationResult("prometheus gate", False, exc.message),)
    result = run_gate(client, spec.checks, spec.settings, on_round=lambda r: log(_gate_round_line(spec, r)))
    log(f"gate {result.verdict}: {result.reason}")
    if result.verdict == "successful":
        return result.verdict, ()
    bad = [
        VerificationResult(
            f"prometheus {r.name}", False, f"round {round_.number}/{spec.settings.count}: {r.status.value}: {r.reason}"
        )
        for round_ in result.rounds
        for r in round_.results
        if r.status.value != "pass"
    ]
    bad.append(VerificationResult("prometheus gate", False, f"{result.verdict}: {result.reason}"))
    return result.verdict, tuple(bad)


class ServiceVerifier(Verifier):
    """The playbook's HTTP checks, then (when asked and configured) the Prometheus gate."""

    def __init__(
        self,
        http_checks: Sequence[HttpCheck],
        gate: PrometheusGateSpec | None,
        get: HttpGet = http_status,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.http_checks = tuple(http_checks)
        self.gate = gate
        self.get = get
        self.sleep = sleep

    def verify(self, with_gate: bool, log: LineSink) -> Verification:
        results = []
        for check in self.http_checks:
            result = run_http_check(check, self.get, self.sleep)
            log(f"{result.name}: {'ok' if result.passed else 'FAILED'}, {result.detail}")
            results.append(result)
        if not all(r.passed for r in results) or not with_gate or self.gate is None:
            return Verification(tuple(results))
        secrets = [os.environ.get(name, "") for name in self.gate.secret_env_names]
        verdict, failed = run_prometheus_gate(self.gate, lambda line: log(scrub(line, secrets)))
        return Verification(tuple(results) + failed, gate_verdict=verdict)
