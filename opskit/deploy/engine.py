"""The deploy flow: lock, hooks, build and push, plan, apply the saved plan, verify, roll back, record.

Pure orchestration over the adapters in ``interface.py``; every outcome, including errors
halfway, SIGINT and SIGTERM, ends as one history record and one JSON report, so ``deploy
status`` and ``history`` can always say what is running. A kill -9 mid-apply leaves the
journal entry written before the apply; the next run records what Terraform says runs.
Verification fails closed: any exception while verifying is an inconclusive verification.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from opskit.core.errors import Failure, InputError, OpskitError
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
    BuiltImage,
    DeployOptions,
    LineSink,
    PlanSummary,
    Playbook,
    Verification,
    VerificationResult,
)
from opskit.deploy.journal import (
    JournalEntry,
    clear_journal,
    plan_file,
    read_journal,
    running_per_terraform,
    sweep_plans,
    write_journal,
)
from opskit.deploy.lock import deploy_lock
from opskit.deploy.record import DeployRecord, Outcome, RollbackResult


class Interrupted(KeyboardInterrupt):
    """SIGTERM (or SIGINT) arrived: unwind so history is written, plans removed and the lock released."""


@contextmanager
def signals_unwind() -> Iterator[None]:
    """Turn SIGTERM into an exception for the block, as SIGINT already is (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise Interrupted(signal.Signals(signum).name)

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass
class _Run:
    """The fields of the ``DeployRecord`` being built during one deploy or rollback (engine-private)."""

    playbook: Playbook
    kind: str
    draft: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        now = datetime.now(UTC)
        self.draft.update(
            {
                "id": f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}",
                "kind": self.kind,
                "service": self.playbook.service,
                "env": self.playbook.env,
                "playbook": str(self.playbook.source),
                "started_at": now.isoformat(timespec="seconds"),
                "timings": {},
            }
        )

    @property
    def id(self) -> str:
        return str(self.draft["id"])

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        start = time.monotonic()
        try:
            yield
        finally:
            self.draft["timings"][step] = round(time.monotonic() - start, 3)

    def facts(self) -> dict[str, object]:
        """What hooks see as ``OPSKIT_*`` variables."""
        d = self.draft
        return {
            "deploy_id": d["id"],
            "service": d["service"],
            "env": d["env"],
            "playbook": d["playbook"],
            "commit": d.get("commit"),
            "image": d.get("image"),
            "previous_image": d.get("previous"),
            "outcome": d.get("outcome"),
            "running": d.get("running"),
        }

    def finish(self, paths: StatePaths, outcome: Outcome, history: bool = True) -> DeployRecord:
        self.draft["timings"]["total"] = round(time.monotonic() - self.started, 3)
        fields = {k: v for k, v in self.draft.items() if k not in ("outcome", "applying")}
        record = DeployRecord(
            **fields, outcome=outcome, finished_at=datetime.now(UTC).isoformat(timespec="seconds")
        )
        write_json(paths.report(self.id), record.to_dict())
        write_json(paths.last_report, record.to_dict())
        if history:
            append_history(paths.history, record)
        return record


def _interrupted(exc: BaseException) -> str:
    return f"interrupted by {exc.args[0] if isinstance(exc, Interrupted) and exc.args else 'SIGINT'}"


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

        def took_over(holder: Any) -> None:
            self.log(f"note: took over the deploy lock of {holder.describe()} ({holder.command})")

        return deploy_lock(self.paths.lock, timeout, command, on_wait=waiting, on_takeover=took_over)

    def _sweep(self) -> None:
        for path in sweep_plans(self.paths.plans):
            self.log(f"note: removed plan file {path.name} left by a run that is gone")

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

    def _plan(self, run: _Run, image: str, step: str, plan: Path) -> PlanSummary:
        with run.timed(f"{step}_plan"):
            summary = self.adapters.provisioner.plan(image, plan, self.log)
        self.log(f"plan ({step}): {summary.describe()}")
        for resource in summary.resources:
            self.log(f"  {resource}")
        return summary

    def _apply(self, run: _Run, image: str, step: str) -> PlanSummary:
        """Plan into a private file and apply exactly it; the journal says so while it runs."""
        with plan_file(self.paths.plans, run.id, step) as plan:
            summary = self._plan(run, image, step, plan)
            if summary.has_changes:
                entry = JournalEntry(
                    deploy_id=run.id,
                    kind=run.kind,
                    image=image,
                    previous=run.draft.get("previous"),
                    pid=os.getpid(),
                    started_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    host=socket.gethostname(),
                )
                write_journal(self.paths.journal, entry)
                run.draft["applying"] = image
                with run.timed(f"{step}_apply"):
                    self.adapters.provisioner.apply(plan, self.log)
        return summary

    def _verify(self, run: _Run, step: str, with_gate: bool) -> Verification:
        """Verify; any exception on the way proves nothing, so it is an inconclusive verification."""
        with run.timed(f"{step}_verify"):
            try:
                return self.adapters.verifier.verify(with_gate, self.log)
            except Exception as exc:  # noqa: BLE001 - fail closed, whatever broke
                reason = exc.message if isinstance(exc, OpskitError) else f"{type(exc).__name__}: {exc}"
                reason = scrub(reason, self.secret_values)
                self.log(f"verification inconclusive: {reason}")
                check = VerificationResult("verification", False, f"inconclusive: {reason}")
                return Verification((check,), gate_verdict="inconclusive" if with_gate else None)

    def _terraform_running(self) -> str | None:
        """What Terraform's state says runs now; None when it cannot tell."""
        try:
            return running_per_terraform(self.adapters.provisioner.outputs())
        except OpskitError as exc:
            self.log(f"note: cannot read Terraform outputs: {exc.message}")
            return None

    def _finish(
        self, run: _Run, outcome: Outcome, cause: BaseException | None = None, history: bool = True
    ) -> DeployRecord | None:
        """Record the outcome; a failed write never hides ``cause``, the error that ended the run."""
        try:
            record = run.finish(self.paths, outcome, history=history)
        except OpskitError as exc:
            if cause is None:
                raise
            note = f" (and the deploy record could not be saved: {exc.message})"
            if isinstance(cause, OpskitError):
                cause.message += note
                cause.args = (cause.message,)
            else:
                self.log(f"error: {note.strip(' ()')}")
            return None
        clear_journal(self.paths.journal)
        return record

    def _unwind(self, run: _Run, exc: BaseException) -> None:
        """After an error or a signal: record what runs now (unverified if an apply started)."""
        if isinstance(exc, OpskitError):
            run.draft["error"] = scrub(exc.message, self.secret_values)
            outcome = Outcome.ERROR
        else:
            run.draft["error"] = _interrupted(exc)
            outcome = Outcome.INTERRUPTED
            self.log(f"{run.draft['error']}: recording {run.kind} {run.id} and releasing the lock")
        if run.draft.get("applying") and "running" not in run.draft:
            run.draft["running"] = self._terraform_running() or run.draft["applying"]
        run.draft.setdefault("running", run.draft.get("previous"))
        run.draft["running_verified"] = False
        self._finish(run, outcome, cause=exc)

    def reconcile(self) -> DeployRecord | None:
        """Record a run killed mid-apply (its journal outlived it): what Terraform says runs, unverified."""
        entry = read_journal(self.paths.journal)
        if entry is None or not entry.orphaned:
            return None
        running = self._terraform_running()
        run = _Run(self.playbook, entry.kind)
        run.draft.update(
            {
                "id": entry.deploy_id,
                "started_at": entry.started_at,
                "image": entry.image,
                "previous": entry.previous,
                "running": running or entry.image,
                "running_verified": False,
                "error": f"{entry.describe()} and was killed; Terraform state says running: {running or 'nothing'}",
            }
        )
        self.log(f"note: {run.draft['error']}; recorded as interrupted, unverified")
        return self._finish(run, Outcome.INTERRUPTED)

    # --- deploy ---------------------------------------------------------------------------

    def deploy(self, options: DeployOptions) -> DeployRecord:
        """Deploy the playbook's service; the returned record says what happened and what runs now."""
        run = _Run(self.playbook, "deploy")
        self._sweep()
        with signals_unwind():
            if options.plan_only:
                return self._plan_only(run, options)
            with self._lock(f"deploy {self.playbook.source}", options.lock_timeout):
                self.reconcile()
                history = read_history(self.paths.history)
                run.draft["previous"] = running_image(history)
                try:
                    return self._deploy_locked(run, options, history)
                except (OpskitError, KeyboardInterrupt) as exc:
                    self._unwind(run, exc)
                    raise

    def _image(self, run: _Run, options: DeployOptions) -> str:
        if options.image:
            if "@sha256:" not in options.image:
                raise InputError(f"--image {options.image}: must be a digest reference (repo@sha256:...)")
            run.draft.update({"image": options.image, "commit": options.commit})
            return options.image
        commit, source = (options.commit, "") if options.commit else self.adapters.git_commit(self.playbook)
        tag = self.playbook.image.tag.format(commit=commit[:12], env=self.playbook.env)
        labels = {  # no build time: the same commit must build the same image (and digest)
            "org.opencontainers.image.revision": commit,
            "org.opencontainers.image.source": source,
            "io.opskit.deploy.service": self.playbook.service,
        }
        run.draft.update({"commit": commit, "tag": tag})
        with run.timed("build_push"):
            built = self._pushed_for_commit(tag, commit)
            if built is None:
                built = self.adapters.builder.build_and_push(self.playbook.image, tag, labels, self.log)
                self.log(f"pushed {built.digest_ref}")
        run.draft["image"] = built.digest_ref
        return built.digest_ref

    def _pushed_for_commit(self, tag: str, commit: str) -> BuiltImage | None:
        """The image already pushed for this commit, so --plan-only and the deploy after it (or a rerun
        on a cold build cache) use one digest; only when the tag names the commit."""
        if "{commit}" not in self.playbook.image.tag:
            return None
        if not self.adapters.context_clean(self.playbook):
            self.log("build context has uncommitted changes: building, not reusing the image pushed for the commit")
            return None
        found = self.adapters.builder.pushed_image(self.playbook.image, tag)
        if found is not None:
            self.log(f"reused {found.digest_ref}: tag {tag} already pushed for commit {commit[:12]}, not rebuilt")
        return found

    def _plan_only(self, run: _Run, options: DeployOptions) -> DeployRecord:
        image = self._image(run, options)
        with plan_file(self.paths.plans, run.id, "deploy") as plan:  # secrets in clear: never kept
            summary = self._plan(run, image, "deploy", plan)
        run.draft["plan"] = summary
        return run.finish(self.paths, Outcome.PLANNED, history=False)

    def _deploy_locked(self, run: _Run, options: DeployOptions, history: list[DeployRecord]) -> DeployRecord:
        if not options.image:
            self.adapters.builder.check_ready()  # hooks never run for a deploy that cannot build
        try:
            self._hooks("pre_deploy", self.playbook.hooks.pre_deploy, run)
        except HookFailed as exc:
            run.draft.update({"running": run.draft["previous"], "failed": (exc.message,)})
            return self._recorded(run, Outcome.FAILED)
        image = self._image(run, options)
        summary = self._apply(run, image, "deploy")
        run.draft["plan"] = summary
        run.draft["running"] = image
        verification = self._verify(run, "deploy", with_gate=True)
        run.draft.update({"checks": verification.checks, "gate_verdict": verification.gate_verdict})
        if verification.passed:
            run.draft["running_verified"] = True
            outcome = Outcome.SUCCESSFUL
        else:
            failed = [f"{c.name}: {c.detail}" for c in verification.failed]
            if verification.gate_verdict not in (None, "successful") and not verification.failed:
                failed.append(f"prometheus gate: {verification.gate_verdict}")
            run.draft["failed"] = tuple(failed)
            outcome = self._auto_rollback(run, history, image)
        self._post_hooks(run, outcome)
        return self._recorded(run, outcome)

    def _recorded(self, run: _Run, outcome: Outcome) -> DeployRecord:
        record = self._finish(run, outcome)
        assert record is not None  # without a cause, a failed write raises
        return record

    def _post_hooks(self, run: _Run, outcome: Outcome) -> None:
        run.draft["outcome"] = outcome
        try:
            self._hooks("post_deploy", self.playbook.hooks.post_deploy, run)
        except HookFailed as exc:
            run.draft["hook_error"] = exc.message
            self.log(exc.message)

    def _auto_rollback(self, run: _Run, history: list[DeployRecord], failed_image: str) -> Outcome:
        policy = self.playbook.rollback
        target = last_good_image(history, exclude=failed_image)
        if not policy.automatic or target is None:
            why = "automatic rollback is off" if not policy.automatic else "no earlier good version in history"
            self.log(f"verification failed; not rolling back: {why}")
            run.draft["running_verified"] = False
            return Outcome.FAILED
        self.log(f"verification failed; rolling back to {target}")
        rollback = self._rollback_to(run, target, "rollback")
        run.draft["rollback"] = rollback
        run.draft["running"] = target
        run.draft["running_verified"] = rollback.verified
        return Outcome.ROLLED_BACK if rollback.verified else Outcome.ROLLBACK_FAILED

    def _rollback_to(self, run: _Run, target: str, step: str) -> RollbackResult:
        summary = self._apply(run, target, step)
        verify = self.playbook.rollback.verify
        if verify == "none":
            return RollbackResult(to=target, plan=summary)
        verification = self._verify(run, step, with_gate=verify == "full")
        return RollbackResult(to=target, plan=summary, checks=verification.checks, verified=verification.passed)

    # --- by hand --------------------------------------------------------------------------

    def rollback(self, to: str | None, lock_timeout: float) -> DeployRecord:
        """Roll back by hand to ``to`` (a digest or prefix from history) or the last good version."""
        run = _Run(self.playbook, "rollback")
        self._sweep()
        with signals_unwind(), self._lock(f"rollback {self.playbook.source}", lock_timeout):
            self.reconcile()
            history = read_history(self.paths.history)
            current = running_image(history)
            run.draft["previous"] = current
            if to:
                target = find_image(history, to) or (to if "@sha256:" in to else None)
                if target is None:
                    raise InputError(f"{self.paths.history}: no deployed image matches {to!r}")
            else:
                target = last_good_image(history, exclude=current)
                if target is None:
                    raise Failure(f"{self.paths.history}: no earlier good version to roll back to")
            run.draft["image"] = target
            try:
                rollback = self._rollback_to(run, target, "rollback")
            except (OpskitError, KeyboardInterrupt) as exc:
                self._unwind(run, exc)
                raise
            run.draft.update(
                {
                    "rollback": rollback,
                    "running": target,
                    "running_verified": rollback.verified,
                    "checks": rollback.checks,
                    "failed": tuple(f"{c.name}: {c.detail}" for c in rollback.checks if not c.passed),
                }
            )
            return self._recorded(run, Outcome.ROLLED_BACK_BY_HAND if rollback.verified else Outcome.ROLLBACK_FAILED)
