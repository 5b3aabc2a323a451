"""Deploy records as the shared ``Report``: failed checks become findings, the facts become notes.

So ``--format json|sarif``, ``--output`` and exit codes behave as for every other command; the
full record is under the ``deploy`` key (or ``history``/``status``) of the JSON output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opskit.core.findings import Finding, Location, Report, Severity, fingerprint
from opskit.deploy.record import DeployRecord, Outcome


def _finding(record: DeployRecord, rule: str, what: str, detail: str, where: str) -> Finding:
    return Finding(
        rule_id=rule,
        title=what,
        severity=Severity.HIGH,
        message=detail,
        location=Location(path=where),
        fingerprint=fingerprint(rule, record.service, record.env, what),
        properties={"deploy_id": record.id, "image": record.image},
    )


def _check_findings(record: DeployRecord) -> list[Finding]:
    findings = []
    details: dict[str, list[str]] = {}  # a check failing in several gate rounds is one finding
    for check in record.failed_checks:
        details.setdefault(check.name, []).append(check.detail)
    for name, lines in details.items():
        kind, _, target = name.partition(" ")
        findings.append(_finding(record, f"deploy.verify.{kind}", name, "; ".join(lines), target or kind))
    for check in record.rollback.checks if record.rollback else ():
        if not check.passed:
            what = f"after rollback: {check.name}"
            findings.append(_finding(record, "deploy.rollback.verify", what, check.detail, "rollback"))
    if record.error:
        findings.append(_finding(record, "deploy.error", "deploy stopped", record.error, record.playbook))
    return findings


def _timings(timings: Mapping[str, float]) -> str:
    return ", ".join(f"{step} {seconds:.1f}s" for step, seconds in timings.items())


def record_notes(record: DeployRecord) -> list[str]:
    """One line per fact a person reading a CI log wants: what, which image, what changed, what runs."""
    notes = [f"{record.kind} {record.id}: {record.service} ({record.env}): {record.outcome.description}"]
    if record.image:
        notes.append(f"image {record.image}" + (f" (commit {record.commit})" if record.commit else ""))
    if record.plan:
        notes.append(f"plan: {record.plan.describe()}")
        notes += [f"plan: {resource}" for resource in record.plan.resources]
    if record.gate_verdict:
        notes.append(f"prometheus gate: {record.gate_verdict}")
    notes += [f"failed: {line}" for line in record.failed]
    if record.rollback:
        verified = "verified" if record.rollback.verified else "NOT verified"
        notes.append(f"rolled back to {record.rollback.to} ({verified})")
    if record.hook_error:
        notes.append(f"hook: {record.hook_error}")
    if record.outcome is not Outcome.PLANNED:
        running = record.running or "nothing deployed yet"
        verified = " (verified)" if record.running_verified else " (not verified)"
        notes.append(f"running now: {running}{verified if record.running else ''}")
    if record.timings:
        notes.append(f"timings: {_timings(record.timings)}")
    return notes


def deploy_report(record: DeployRecord, report_path: str) -> Report:
    """The report of one deploy or rollback."""
    return Report(
        command=f"deploy {record.kind}" if record.kind != "deploy" else "deploy",
        findings=_check_findings(record),
        data={"deploy": record.to_dict(), "report_file": report_path},
        notes=[*record_notes(record), f"report: {report_path}"],
        verdict=record.verdict,
    )


def history_report(service: str, env: str, records: Sequence[DeployRecord], limit: int) -> Report:
    """The last ``limit`` deploys, newest first."""
    shown = list(reversed(records))[:limit]
    notes = [f"{r.id}  {r.kind:<8} {r.outcome.value:<19} {r.running or '-'}" for r in shown] or [
        f"no deploys of {service} ({env}) yet"
    ]
    return Report(command="deploy history", findings=[], data={"history": [r.to_dict() for r in shown]}, notes=notes)


def status_report(
    service: str,
    env: str,
    last: DeployRecord | None,
    outputs: Mapping[str, Any],
    lock: str | None,
    in_flight: Mapping[str, Any] | None = None,
) -> Report:
    """What runs now (from history, an apply in flight or killed, and Terraform's outputs) and the lock."""
    notes = record_notes(last) if last else [f"no deploys of {service} ({env}) yet"]
    running_now = {"image": last.running if last else None, "verified": bool(last and last.running_verified)}
    if in_flight:
        notes = [note for note in notes if not note.startswith("running now:")]
        running_now = {"image": in_flight["terraform_running"] or in_flight["image"], "verified": False}
        running = in_flight["terraform_running"] or "nothing"
        notes.append(
            f"{in_flight['state']}: deploy {in_flight['deploy_id']} (pid {in_flight['pid']}, "
            f"{in_flight['started_at']}) of {in_flight['image']}; Terraform state says running: {running}"
        )
        notes.append(f"running now: {in_flight['terraform_running'] or in_flight['image']} (NOT verified)")
    notes += [f"terraform output {k} = {v}" for k, v in outputs.items()]
    notes.append(f"lock: {lock or 'free'}")
    status = {"service": service, "env": env, "running": running_now, "in_flight": in_flight}
    status["last"] = last.to_dict() if last else None
    status |= {"outputs": dict(outputs), "lock": lock}
    return Report(command="deploy status", findings=[], data={"status": status}, notes=notes)
