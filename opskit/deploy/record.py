"""The deploy record: what one deploy or rollback did and what it left running, as typed frozen data.

The engine writes one per run (history, per-run report, last report); ``history``, ``report``
and ``api`` read its fields, never string keys. ``to_dict``/``from_dict`` are the JSON form
(documented in docs/deploy.md), which older history files already have.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from opskit.core.findings import Verdict
from opskit.deploy.interface import PlanSummary, VerificationResult


class Outcome(StrEnum):
    """How a deploy or rollback ended."""

    SUCCESSFUL = "successful"
    PLANNED = "planned"
    FAILED = "failed"
    ROLLED_BACK = "rolled_back"
    ROLLBACK_FAILED = "rollback_failed"
    ROLLED_BACK_BY_HAND = "rolled_back_by_hand"
    ERROR = "error"
    INTERRUPTED = "interrupted"

    @property
    def verdict(self) -> Verdict:
        """``successful`` or ``failed``: the report's verdict and so the exit code."""
        good = (Outcome.SUCCESSFUL, Outcome.PLANNED, Outcome.ROLLED_BACK_BY_HAND)
        return Verdict.SUCCESSFUL if self in good else Verdict.FAILED

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    Outcome.SUCCESSFUL: "deployed and verified",
    Outcome.PLANNED: "planned only (--plan-only); nothing applied",
    Outcome.FAILED: "FAILED; not rolled back",
    Outcome.ROLLED_BACK: "FAILED verification; rolled back by itself",
    Outcome.ROLLBACK_FAILED: "FAILED, and the rollback did not verify either",
    Outcome.ROLLED_BACK_BY_HAND: "rolled back by hand and verified",
    Outcome.ERROR: "stopped by an error",
    Outcome.INTERRUPTED: "INTERRUPTED (signal or kill); what runs is NOT verified",
}


def _checks_to_list(checks: tuple[VerificationResult, ...]) -> list[dict[str, Any]]:
    return [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in checks]


def _checks_from_list(items: Any) -> tuple[VerificationResult, ...]:
    return tuple(
        VerificationResult(str(c.get("name", "?")), bool(c.get("passed")), str(c.get("detail", "")))
        for c in items or []
        if isinstance(c, dict)
    )


def _plan_from_dict(data: Any) -> PlanSummary | None:
    if not isinstance(data, dict):
        return None
    return PlanSummary(
        exit_code=int(data.get("exit_code", 0)),
        add=int(data.get("add", 0)),
        change=int(data.get("change", 0)),
        destroy=int(data.get("destroy", 0)),
        replace=int(data.get("replace", 0)),
        resources=tuple(str(r) for r in data.get("resources") or []),
    )


@dataclass(frozen=True)
class RollbackResult:
    """A rollback within a deploy (or by hand): the target, its plan, its checks, verified or not."""

    to: str
    plan: PlanSummary
    checks: tuple[VerificationResult, ...] = ()
    verified: bool = True

    def to_dict(self) -> dict[str, Any]:
        checks = _checks_to_list(self.checks)
        return {"to": self.to, "plan": self.plan.to_dict(), "checks": checks, "verified": self.verified}

    @classmethod
    def from_dict(cls, data: Any) -> RollbackResult | None:
        if not isinstance(data, dict) or not data.get("to"):
            return None
        plan = _plan_from_dict(data.get("plan")) or PlanSummary(exit_code=0)
        return cls(str(data["to"]), plan, _checks_from_list(data.get("checks")), bool(data.get("verified")))


@dataclass(frozen=True)
class DeployRecord:
    """One deploy or rollback: identity, what was asked, what happened, and what runs now."""

    id: str
    kind: str  # "deploy" or "rollback"
    service: str
    env: str
    playbook: str
    started_at: str
    outcome: Outcome
    finished_at: str = ""
    image: str | None = None
    commit: str | None = None
    tag: str | None = None
    previous: str | None = None
    running: str | None = None
    running_verified: bool = False
    plan: PlanSummary | None = None
    checks: tuple[VerificationResult, ...] = ()
    gate_verdict: str | None = None
    failed: tuple[str, ...] = ()
    rollback: RollbackResult | None = None
    hook_error: str | None = None
    error: str | None = None
    timings: Mapping[str, float] = field(default_factory=dict)

    @property
    def verdict(self) -> Verdict:
        return self.outcome.verdict

    @property
    def failed_checks(self) -> tuple[VerificationResult, ...]:
        return tuple(c for c in self.checks if not c.passed)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (history.json, reports, ``--format json``)."""
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "service": self.service,
            "env": self.env,
            "playbook": self.playbook,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "outcome": self.outcome.value,
            "verdict": self.verdict.value,
            "image": self.image,
            "commit": self.commit,
            "tag": self.tag,
            "previous": self.previous,
            "running": self.running,
            "running_verified": self.running_verified,
            "plan": self.plan.to_dict() if self.plan else None,
            "checks": _checks_to_list(self.checks),
            "gate_verdict": self.gate_verdict,
            "failed": list(self.failed),
            "rollback": self.rollback.to_dict() if self.rollback else None,
            "hook_error": self.hook_error,
            "error": self.error,
            "timings": dict(self.timings),
        }
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeployRecord:
        """A record from its JSON form; ValueError when it is not one."""

        def text(key: str) -> str | None:
            value = data.get(key)
            return None if value is None else str(value)

        try:
            outcome = Outcome(str(data.get("outcome", "error")))
        except ValueError:
            raise ValueError(f"unknown outcome {data.get('outcome')!r}") from None
        timings = data.get("timings")
        return cls(
            id=str(data["id"]),
            kind=str(data.get("kind", "deploy")),
            service=str(data.get("service", "")),
            env=str(data.get("env", "")),
            playbook=str(data.get("playbook", "")),
            started_at=str(data.get("started_at", "")),
            outcome=outcome,
            finished_at=str(data.get("finished_at") or ""),
            image=text("image"),
            commit=text("commit"),
            tag=text("tag"),
            previous=text("previous"),
            running=text("running"),
            running_verified=bool(data.get("running_verified")),
            plan=_plan_from_dict(data.get("plan")),
            checks=_checks_from_list(data.get("checks")),
            gate_verdict=text("gate_verdict"),
            failed=tuple(str(f) for f in data.get("failed") or []),
            rollback=RollbackResult.from_dict(data.get("rollback")),
            hook_error=text("hook_error"),
            error=text("error"),
            timings={str(k): float(v) for k, v in timings.items()} if isinstance(timings, dict) else {},
        )
