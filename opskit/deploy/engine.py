"""The deploy flow: lock, hooks, build and push, plan, apply the saved plan, verify, roll back, record.

Pure orchestration over the adapters in ``interface.py``; every outcome, including errors
halfway, ends as one history record and one JSON report, so ``deploy status`` and ``history``
can always say what is running.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from opskit.core.errors import Failure, InputError, OpskitError
from opskit.core.findings import Verdict
from opskit.core.redact import scrub
from opskit.deploy.history import (
    StatePaths,
    append_history,
    find_image,
    ignore_in_git,
    last_good_image,
    read_history,
    running_image,
    write_json,
)
from opskit.deploy.hooks import HookFailed, run_hooks
from opskit.deploy.interface import (
    Adapters,
    DeployOptions,
    LineSink,
    PlanSummary,
    Playbook,
    Verification,
)
from opskit.deploy.lock import deploy_lock


@dataclass
class _Run:
    """The record being built up during one deploy or rollback (becomes the history entry)."""

    playbook: Playbook
    kind: str
    record: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        now = datetime.now(UTC)
        self.record.update(
            {
                "id": f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}",
                "kind": self.kind,
                "service": self.playbook.service,
                "env": self.playbook.env,
                "playbook": str(self.playbook.source),
                "started_at": now.isoformat(timespec="seconds"),
                "timings": {},
                "failed": [],
            }
        )

    @property
    def id(self) -> str:
        return str(self.record["id"])

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        start = time.monotonic()
        try:
            yield
        finally:
            self.record["timings"][step] = round(time.monotonic() - start, 3)

    def facts(self) -> dict[str, object]:
        """What hooks see as ``OPSKIT_*`` variables."""
        r = self.record
        return {
            "deploy_id": r["id"],
            "service": r["service"],
            "env": r["env"],
            "playbook": r["playbook"],
            "commit": r.get("commit"),
            "image": r.get("image"),
            "previous_image": r.get("previous"),
            "outcome": r.get("outcome"),
            "running": r.get("running"),
        }

    def finish(self, paths: StatePaths, outcome: str, history: bool = True) -> dict[str, Any]:
        r = self.record
        r["outcome"] = outcome
        ok = outcome in ("successful", "planned", "rolled_back_by_hand")
        r["verdict"] = (Verdict.SUCCESSFUL if ok else Verdict.FAILED).value
        r["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        r["timings"]["total"] = round(time.monotonic() - self.started, 3)
        write_json(paths.report(self.id), r)
        write_json(paths.last_report, r)
        if history:
            append_history(paths.history, r)
        return r


def _checks(verification: Verification) -> list[dict[str, Any]]:
    return [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in verification.checks]


class Deployer:
    """Runs deploys and rollbacks of one playbook with the given adapters, logging to ``log``."""

    def __init__(self, playbook: Playbook, adapters: Adapters, log: LineSink) -> None:
        self.playbook = playbook
        self.adapters = adapters
        self.paths = StatePaths.of(playbook.state_dir, playbook.service, playbook.env)
        ignore_in_git(playbook.state_dir)
        self.secret_values = tuple(os.environ.get(n, "") for n in playbook.secret_env_names)
        self._log = log

    def log(self, line: str) -> None:
        self._log(scrub(line, self.secret_values))

    def _lock(self, command: str, timeout: float) -> Any:
        def waiting(holder: Any) -> None:
            self.log(f"waiting up to {timeout:g}s for the deploy lock held by {holder.describe()}")

        return deploy_lock(self.paths.lock, timeout, command, on_wait=waiting)

    def _hooks(self, stage: str, commands: tuple[str, ...], run: _Run) -> None:
        with run.timed(stage):
            run_hooks(
                stage,
                commands,
                run.facts(),
                cwd=self.playbook.source.parent,
                timeout=self.playbook.hooks.timeout,
                secrets=self.secret_values,
                log=self.log,
            )

    def _plan(self, run: _Run, image: str, step: str) -> tuple[PlanSummary, Any]:
        plan_file = self.paths.plan(f"{run.id}-{step}")
        with run.timed(f"{step}_plan"):
            summary = self.adapters.provisioner.plan(image, plan_file, self.log)
        self.log(f"plan ({step}): {summary.describe()}")
        for resource in summary.resources:
            self.log(f"  {resource}")
        return summary, plan_file

    def _apply(self, run: _Run, image: str, step: str) -> PlanSummary:
        summary, plan_file = self._plan(run, image, step)
        if summary.has_changes:
            with run.timed(f"{step}_apply"):
                self.adapters.provisioner.apply(plan_file, self.log)
        plan_file.unlink(missing_ok=True)
        return summary

    def _verify(self, run: _Run, step: str, with_gate: bool) -> Verification:
        with run.timed(f"{step}_verify"):
            return self.adapters.verifier.verify(with_gate, self.log)

    # --- deploy ---------------------------------------------------------------------------

    def deploy(self, options: DeployOptions) -> dict[str, Any]:
        """Deploy the playbook's service; the returned record says what happened and what runs now."""
        run = _Run(self.playbook, "deploy")
        if options.plan_only:
            return self._plan_only(run, options)
        with self._lock(f"deploy {self.playbook.source}", options.lock_timeout):
            history = read_history(self.paths.history)
            run.record["previous"] = running_image(history)
            try:
                return self._deploy_locked(run, options, history)
            except OpskitError as exc:
                # Before any apply the previous image still runs; after one started, nobody verified it.
                run.record["error"] = scrub(exc.message, self.secret_values)
                run.record.setdefault("running", run.record.get("previous"))
                run.record["running_verified"] = False
                run.finish(self.paths, "error")
                raise

    def _image(self, run: _Run, options: DeployOptions) -> str:
        if options.image:
            if "@sha256:" not in options.image:
                raise InputError(f"--image {options.image}: must be a digest reference (repo@sha256:...)")
            run.record.update({"image": options.image, "commit": options.commit})
            return options.image
        commit, source = (options.commit, "") if options.commit else self.adapters.git_commit(self.playbook)
        tag = self.playbook.image.tag.format(commit=commit[:12], env=self.playbook.env)
        labels = {
            "org.opencontainers.image.revision": commit,
            "org.opencontainers.image.created": datetime.now(UTC).isoformat(timespec="seconds"),
            "org.opencontainers.image.source": source,
            "io.opskit.deploy.service": self.playbook.service,
        }
        run.record.update({"commit": commit, "tag": tag})
        with run.timed("build_push"):
            built = self.adapters.builder.build_and_push(self.playbook.image, tag, labels, self.log)
        self.log(f"pushed {built.digest_ref}")
        run.record["image"] = built.digest_ref
        return built.digest_ref

    def _plan_only(self, run: _Run, options: DeployOptions) -> dict[str, Any]:
        image = self._image(run, options)
        summary, plan_file = self._plan(run, image, "deploy")
        plan_file.unlink(missing_ok=True)  # a plan holds every variable, secrets included, in clear
        run.record["plan"] = summary.to_dict()
        return run.finish(self.paths, "planned", history=False)

    def _deploy_locked(self, run: _Run, options: DeployOptions, history: list[dict[str, Any]]) -> dict[str, Any]:
        if not options.image:
            self.adapters.builder.check_ready()  # hooks never run for a deploy that cannot build
        try:
            self._hooks("pre_deploy", self.playbook.hooks.pre_deploy, run)
        except HookFailed as exc:
            run.record.update({"running": run.record["previous"], "failed": [exc.message]})
            return run.finish(self.paths, "failed")
        image = self._image(run, options)
        summary = self._apply(run, image, "deploy")
        run.record["plan"] = summary.to_dict()
        run.record["running"] = image
        verification = self._verify(run, "deploy", with_gate=True)
        run.record.update({"checks": _checks(verification), "gate_verdict": verification.gate_verdict})
        if verification.passed:
            run.record["running_verified"] = True
            outcome = "successful"
        else:
            run.record["failed"] = [f"{c.name}: {c.detail}" for c in verification.failed]
            if verification.gate_verdict not in (None, "successful") and not verification.failed:
                run.record["failed"].append(f"prometheus gate: {verification.gate_verdict}")
            outcome = self._auto_rollback(run, history, image)
        self._post_hooks(run, outcome)
        return run.finish(self.paths, outcome)

    def _post_hooks(self, run: _Run, outcome: str) -> None:
        run.record["outcome"] = outcome
        try:
            self._hooks("post_deploy", self.playbook.hooks.post_deploy, run)
        except HookFailed as exc:
            run.record["hook_error"] = exc.message
            self.log(exc.message)

    def _auto_rollback(self, run: _Run, history: list[dict[str, Any]], failed_image: str) -> str:
        policy = self.playbook.rollback
        target = last_good_image(history, exclude=failed_image)
        if not policy.automatic or target is None:
            why = "automatic rollback is off" if not policy.automatic else "no earlier good version in history"
            self.log(f"verification failed; not rolling back: {why}")
            run.record["running_verified"] = False
            return "failed"
        self.log(f"verification failed; rolling back to {target}")
        rollback = self._rollback_to(run, target, "rollback")
        run.record["rollback"] = rollback
        run.record["running"] = target
        run.record["running_verified"] = rollback["verified"]
        return "rolled_back" if rollback["verified"] else "rollback_failed"

    def _rollback_to(self, run: _Run, target: str, step: str) -> dict[str, Any]:
        summary = self._apply(run, target, step)
        verify = self.playbook.rollback.verify
        result: dict[str, Any] = {"to": target, "plan": summary.to_dict(), "checks": [], "verified": True}
        if verify != "none":
            verification = self._verify(run, step, with_gate=verify == "full")
            result.update({"checks": _checks(verification), "verified": verification.passed})
        return result

    # --- by hand --------------------------------------------------------------------------

    def rollback(self, to: str | None, lock_timeout: float) -> dict[str, Any]:
        """Roll back by hand to ``to`` (a digest or prefix from history) or the last good version."""
        run = _Run(self.playbook, "rollback")
        with self._lock(f"rollback {self.playbook.source}", lock_timeout):
            history = read_history(self.paths.history)
            current = running_image(history)
            run.record["previous"] = current
            if to:
                target = find_image(history, to) or (to if "@sha256:" in to else None)
                if target is None:
                    raise InputError(f"{self.paths.history}: no deployed image matches {to!r}")
            else:
                target = last_good_image(history, exclude=current)
                if target is None:
                    raise Failure(f"{self.paths.history}: no earlier good version to roll back to")
            run.record["image"] = target
            try:
                rollback = self._rollback_to(run, target, "rollback")
            except OpskitError as exc:
                run.record.update({"error": scrub(exc.message, self.secret_values), "running": current})
                run.finish(self.paths, "error")
                raise
            run.record.update(
                {
                    "rollback": rollback,
                    "running": target,
                    "running_verified": rollback["verified"],
                    "checks": rollback["checks"],
                    "failed": [f"{c['name']}: {c['detail']}" for c in rollback["checks"] if not c["passed"]],
                }
            )
            return run.finish(self.paths, "rolled_back_by_hand" if rollback["verified"] else "rollback_failed")
