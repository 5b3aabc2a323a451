"""Entry points of ``opskit deploy``: wire the real adapters to a playbook and return a Report.

The CLI calls exactly one of these per command; each loads the playbook (with overrides from
the command line), runs, and maps the outcome onto the shared Report.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from opskit.core.errors import OpskitError
from opskit.core.findings import Report
from opskit.deploy.docker_adapter import DockerImageBuilder
from opskit.deploy.engine import Deployer
from opskit.deploy.history import StatePaths, read_history
from opskit.deploy.interface import Adapters, DeployOptions, Playbook, Reporter
from opskit.deploy.journal import read_journal, running_per_terraform, sweep_plans
from opskit.deploy.lock import read_holder, release
from opskit.deploy.playbook import load_playbook
from opskit.deploy.record import DeployRecord
from opskit.deploy.report import deploy_report, history_report, status_report
from opskit.deploy.source import context_clean, git_commit
from opskit.deploy.terraform_adapter import TerraformProvisioner
from opskit.deploy.verify import ServiceVerifier


@dataclasses.dataclass(frozen=True)
class Target:
    """Which playbook, environment and state the command works on."""

    playbook: Path
    env: str | None = None
    state_dir: Path | None = None
    terraform_bin: str | None = None

    def load(self) -> Playbook:
        playbook = load_playbook(self.playbook, self.env)
        if self.state_dir is not None:
            playbook = dataclasses.replace(playbook, state_dir=self.state_dir.resolve())
        return playbook

    def paths(self, playbook: Playbook) -> StatePaths:
        return StatePaths.of(playbook.state_dir, playbook.service, playbook.env)


def _provisioner(target: Target, playbook: Playbook) -> TerraformProvisioner:
    paths = target.paths(playbook)
    return TerraformProvisioner(
        playbook.terraform, paths.terraform_state, paths.terraform_data, binary=target.terraform_bin
    )


def _deployer(target: Target, playbook: Playbook, out: Reporter) -> Deployer:
    adapters = Adapters(
        builder=DockerImageBuilder(playbook.registry, show_progress=out.show_progress),
        provisioner=_provisioner(target, playbook),
        verifier=ServiceVerifier(playbook.http_checks, playbook.gate),
        git_commit=git_commit,
        context_clean=context_clean,
    )
    return Deployer(playbook, adapters, out.log)


def run_deploy(target: Target, options: DeployOptions, out: Reporter) -> tuple[DeployRecord, Report]:
    """Deploy (or with ``plan_only`` just plan): the record and its report (whose verdict is the exit code)."""
    playbook = target.load()
    record = _deployer(target, playbook, out).deploy(options)
    return record, deploy_report(record, str(target.paths(playbook).report(record.id)))


def run_rollback(target: Target, to: str | None, lock_timeout: float, out: Reporter) -> Report:
    playbook = target.load()
    record = _deployer(target, playbook, out).rollback(to, lock_timeout)
    return deploy_report(record, str(target.paths(playbook).report(record.id)))


def show_history(target: Target, limit: int) -> Report:
    playbook = target.load()
    records = read_history(target.paths(playbook).history)
    return history_report(playbook.service, playbook.env, records, limit)


def show_status(target: Target) -> Report:
    """The last record, what Terraform's state says runs, an apply in flight or killed, and the lock.

    A deploy killed mid-apply (its journal outlived it) is shown as what it is: an unverified
    release of that image, with Terraform's word on what runs; the next deploy records it.
    """
    playbook = target.load()
    paths = target.paths(playbook)
    sweep_plans(paths.plans)  # a killed run's plan holds secrets in clear: never leave it around
    records = read_history(paths.history)
    try:
        outputs = _provisioner(target, playbook).outputs()
    except OpskitError as exc:
        outputs = {"error": exc.message}
    holder = read_holder(paths.lock)
    entry = read_journal(paths.journal)
    in_flight = None
    if entry is not None:
        running = running_per_terraform(outputs)
        state = "killed mid-apply" if entry.orphaned else "applying now"
        in_flight = {
            "state": state,
            "deploy_id": entry.deploy_id,
            "image": entry.image,
            "pid": entry.pid,
            "started_at": entry.started_at,
            "terraform_running": running,
            "running_verified": False,
        }
    return status_report(
        playbook.service,
        playbook.env,
        records[-1] if records else None,
        outputs,
        holder.describe() if holder else None,
        in_flight,
    )


def show_lock(target: Target) -> Report:
    playbook = target.load()
    paths = target.paths(playbook)
    holder = read_holder(paths.lock)
    info = dataclasses.asdict(holder) | {"stale": holder.stale} if holder else None
    note = f"{paths.lock}: " + (f"held by {holder.describe()} ({holder.command})" if holder else "free")
    return Report(command="deploy lock", findings=[], data={"lock": info, "lock_file": str(paths.lock)}, notes=[note])


def release_lock(target: Target, force: bool) -> Report:
    playbook = target.load()
    paths = target.paths(playbook)
    holder = release(paths.lock, force=force)
    note = f"{paths.lock}: " + (f"released (was held by {holder.describe()})" if holder else "was not locked")
    released = dataclasses.asdict(holder) if holder else None
    return Report(command="deploy unlock", findings=[], data={"released": released}, notes=[note])
