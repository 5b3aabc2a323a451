"""Check results onto the shared findings model: every non-passing check a finding, all in data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opskit.core.findings import Finding, Location, Report, Verdict, fingerprint
from opskit.monitor.interface import CheckResult, GateResult, Status

STATUS_VERDICT = {Status.PASS: Verdict.SUCCESSFUL, Status.WARN: Verdict.SUCCESSFUL, Status.ERROR: Verdict.FAILED,
                  Status.FAIL: Verdict.FAILED}


def to_finding(result: CheckResult, url: str) -> Finding:
    """A failed (high or the check's severity) or warning (medium) check as a finding."""
    location = result.location or Location(path=url)
    return Finding(
        rule_id=result.id,
        title=result.title or result.name,
        severity=result.finding_severity,
        message=f"{result.name}: {result.reason}",
        location=location,
        fingerprint=fingerprint(result.id, result.name, location.path),
        properties={"status": result.status.value, "value": result.value, **result.details},
    )


def check_report(
    command: str,
    url: str,
    results: Sequence[CheckResult],
    extra: Mapping[str, Any] | None = None,
    verdict: Verdict | None = None,
    notes: Sequence[str] = (),
) -> Report:
    """A report of judged checks; unless given, the verdict is ``failed`` when any check failed or errored."""
    worst = max((r.status for r in results), key=lambda s: s.rank, default=Status.PASS)
    counts = {s.value: sum(1 for r in results if r.status is s) for s in Status}
    return Report(
        command=command,
        findings=[to_finding(r, url) for r in results if r.status is not Status.PASS],
        data={"prometheus": url, "counts": counts, "checks": [r.to_dict() for r in results], **(extra or {})},
        notes=notes,
        verdict=verdict or STATUS_VERDICT[worst],
    )


def gate_report(url: str, result: GateResult) -> Report:
    """The gate's report: the last round's checks, every round, and the verdict with its reason."""
    return check_report(
        "monitor gate",
        url,
        result.rounds[-1].results if result.rounds else [],
        {"reason": result.reason, "rounds": [r.to_dict() for r in result.rounds]},
        verdict=result.verdict,
        notes=[*_round_notes(result), f"gate {result.verdict}: {result.reason}"],
    )


def _round_notes(result: GateResult) -> list[str]:
    """Every round that did not pass, with each of its checks' reasons (an error round's error too)."""
    notes = []
    for r in result.rounds:
        if r.status is not Status.PASS:
            reasons = "; ".join(f"{c.name}: {c.reason}" for c in r.results if c.status is not Status.PASS)
            notes.append(f"round {r.number}: {r.status.value}: {reasons}")
    return notes
