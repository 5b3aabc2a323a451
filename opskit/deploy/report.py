"""Deploy records as the shared ``Report``: failed checks become findings, the facts become notes.

So ``--format json|sarif``, ``--output`` and exit codes behave as for every other command; the
full record is under the ``deploy`` key (or ``history``/``status``) of the JSON output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opskit.core.findings import Finding, Location, Report, Severity, fingerprint

_OUTCOMES = {
    "successful": "deployed and verified",
    "planned": "planned only (--plan-only); nothing applied",
    "failed": "FAILED; not rolled back",
    "rolled_back": "FAILED verification; rolled back by itself",
    "rollback_failed": "FAILED, and the rollback did not verify either",
    "rolled_back_by_hand": "rolled back by hand and verified",
    "error": "stopped by an error",
    "interrupted": "INTERRUPTED (signal or kill); what runs is NOT verified",
}


def _finding(record: Mapping[str, Any], rule: str, what: str, detail: str, where: str) -> Finding:
    return Finding(
        rule_id=rule,
        title=what,
        severity=Severity.HIGH,
        message=detail,
        location=Location(path=where),
        fingerprint=fingerprint(rule, record.get("service"), record.get("env"), what),
        properties={"deploy_id": record.get("id"), "image": record.get("image")},
    )


def _check_findings(record: Mapping[str, Any]) -> list[Finding]:
    findings = []
    for check in record.get("checks") or []:
        if check["passed"]:
            continue
        kind, _, target = check["name"].partition(" ")
        findings.append(_finding(record, f"deploy.verify.{kind}", check["name"], check["detail"], target or kind))
    rollback = record.get("rollback") or {}
    for check in rollback.get("checks") or []:
        if not check["passed"]:
            findings.append(
                _finding(
                    record, "deploy.rollback.verify", f"after rollback: {check['name']}", check["detail"], "rollback"
                )
            )
    if record.get("error"):
        findings.append(_finding(record, "deploy.error", "deploy stopped", record["error"], record["playbook"]))
    return findings


def _timings(timings: Mapping[str, float]) -> str:
    return ", ".join(f"{step} {seconds:.1f}s" for step, seconds in timings.items())


def record_notes(record: Mapping[str, Any]) -> list[str]:
    """One line per fact a person reading a CI log wants: what, which image, what changed, what runs."""
    notes = [
        f"{record['kind']} {record['id']}: {record['service']} ({record['env']}): "
        f"{_OUTCOMES.get(record.get('outcome', ''), record.get('outcome'))}"
    ]
    if record.get("image"):
        notes.append(f"image {record['image']}" + (f" (commit {record['commit']})" if record.get("commit") else ""))
    if record.get("plan"):
        notes.append(f"plan: {record['plan']['summary']}")
        notes += [f"plan: {resource}" for resource in record["plan"]["resources"]]
    if record.get("gate_verdict"):
        notes.append(f"prometheus gate: {record['gate_verdict']}")
    notes += [f"failed: {line}" for line in record.get("failed") or []]
    if record.get("rollback"):
        rb = record["rollback"]
        notes.append(f"rolled back to {rb['to']} ({'verified' if rb['verified'] else 'NOT verified'})")
    if record.get("hook_error"):
        notes.append(f"hook: {record['hook_error']}")
    if record.get("outcome") != "planned":
        running = record.get("running") or "nothing deployed yet"
        verified = " (verified)" if record.get("running_verified") else " (not verified)"
        notes.append(f"running now: {running}{verified if record.get('running') else ''}")
    if record.get("timings"):
        notes.append(f"timings: {_timings(record['timings'])}")
    return notes


def deploy_report(record: Mapping[str, Any], report_path: str) -> Report:
    """The report of one deploy or rollback."""
    return Report(
        command=f"deploy {record['kind']}" if record["kind"] != "deploy" else "deploy",
        findings=_check_findings(record),
        data={"deploy": dict(record), "report_file": report_path},
        notes=[*record_notes(record), f"report: {report_path}"],
        verdict=record["verdict"],
    )


def history_report(service: str, env: str, records: Sequence[Mapping[str, Any]], limit: int) -> Report:
    """The last ``limit`` deploys, newest first."""
    shown = list(reversed(records))[:limit]
    notes = [f"{r['id']}  {r['kind']:<8} {r.get('outcome', '?'):<19} {r.get('running') or '-'}" for r in shown] or [
        f"no deploys of {service} ({env}) yet"
    ]
    return Report(command="deploy history", findings=[], data={"history": shown}, notes=notes)


def status_report(
    service: str,
    env: str,
    last: Mapping[str, Any] | None,
    outputs: Mapping[str, Any],
    lock: str | None,
    in_flight: Mapping[str, Any] | None = None,
) -> Report:
    """What runs now (from history, an apply in flight or killed, and Terraform's outputs) and the lock."""
    notes = record_notes(last) if last else [f"no deploys of {service} ({env}) yet"]
    running_now = {"image": (last or {}).get("running"), "verified": bool((last or {}).get("running_verified"))}
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
    status = {"service": service, "env": env, "running": running_now, "in_flight": in_flight, "last": last}
    status |= {"outputs": dict(outputs), "lock": lock}
    return Report(command="deploy status", findings=[], data={"status": status}, notes=notes)
