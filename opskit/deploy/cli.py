"""``opskit deploy``: options only; each command calls one function of ``opskit.deploy.api``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from opskit.core.command import Output, emit, opskit_command
from opskit.core.errors import ExitCode, UsageError
from opskit.core.findings import Report
from opskit.core.lazy import lazy_module
from opskit.deploy.interface import DeployOptions
from opskit.deploy.render import StateRenderer

if TYPE_CHECKING:
    from opskit.deploy import api
else:
    api = lazy_module("opskit.deploy.api")  # docker, requests, terraform only when a command runs

STATE_FORMATS = ("text", "json")
"""State commands report facts, not findings: no SARIF, no --fail-on."""


def _state(report: Report, out: Output) -> int:
    return emit(report, out, text_renderer=StateRenderer)


def _target_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--playbook, --env, --state-dir and --terraform-bin, shared by every deploy command."""
    options = [
        click.option(
            "-p",
            "--playbook",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Playbook YAML (e.g. playbooks/web.yml).",
        ),
        click.option("-e", "--env", help="Environment from the playbook's 'environments' (default: default)."),
        click.option(
            "--state-dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="Where locks, history, reports and Terraform state live (default: the playbook's state_dir).",
        ),
        click.option(
            "--terraform-bin", help="Terraform-compatible binary, e.g. tofu for OpenTofu (default: terraform)."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _target(playbook: Path | None, env: str | None, state_dir: Path | None, terraform_bin: str | None) -> api.Target:
    """The target of a subcommand; options given before it (``deploy -p x.yml status``) count too."""
    ctx = click.get_current_context()
    group = ctx.parent.params if ctx.parent is not None and ctx.parent.info_name == "deploy" else {}
    playbook = playbook or group.get("playbook")
    if playbook is None:
        raise UsageError("missing --playbook (see 'opskit deploy --help')")
    return api.Target(
        playbook=playbook,
        env=env or group.get("env"),
        state_dir=state_dir or group.get("state_dir"),
        terraform_bin=terraform_bin or group.get("terraform_bin"),
    )


LOCK_TIMEOUT = click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Seconds to wait for another deploy of the same service and environment to finish.",
)


@click.group(invoke_without_command=True)
@_target_options
@click.option(
    "--plan-only",
    is_flag=True,
    help="Build, push and plan; print the change summary; exit 0 (no changes) or 5 (changes).",
)
@click.option("--image", help="Deploy this digest (repo@sha256:...) instead of building.")
@click.option("--commit", help="Commit to tag and label the image with (default: git rev-parse HEAD of the context).")
@LOCK_TIMEOUT
@opskit_command(config_from="playbook")
@click.pass_context
def deploy(
    ctx: click.Context,
    playbook: Path | None,
    env: str | None,
    state_dir: Path | None,
    terraform_bin: str | None,
    plan_only: bool,
    image: str | None,
    commit: str | None,
    lock_timeout: float,
    out: Output,
) -> int | None:
    """Build, push, apply with Terraform, verify, and roll back by itself when verification fails.

    Exit codes: 0 deployed and verified (or --plan-only without changes), 1 failed (rolled back
    or not, or an unverified release), 2 playbook/usage error, 3 Docker, registry, Terraform or
    Prometheus unreachable or failing, 5 --plan-only and the plan has changes, 130 interrupted
    (SIGINT/SIGTERM: history written, plan removed, lock released).

    \b
    Examples:
      opskit deploy --playbook playbooks/demo-local.yml --env staging
      opskit deploy -p playbooks/demo-local.yml --plan-only --format json
      opskit deploy -p playbooks/demo-local.yml --lock-timeout 300
      opskit deploy status -p playbooks/demo-local.yml
    """
    if ctx.invoked_subcommand is not None:
        return None
    target = _target(playbook, env, state_dir, terraform_bin)
    options = DeployOptions(plan_only=plan_only, image=image, commit=commit, lock_timeout=lock_timeout)
    record, report = api.run_deploy(target, options, out)
    code = emit(report, out)
    if plan_only and code == 0 and record.plan is not None and record.plan.has_changes:
        return int(ExitCode.PLAN_CHANGES)
    return code


@deploy.command()
@_target_options
@click.option(
    "--to", "to", metavar="DIGEST", help="Image digest (or a prefix of one from history); default: last good."
)
@LOCK_TIMEOUT
@opskit_command(config_from="playbook")
def rollback(
    playbook: Path | None,
    env: str | None,
    state_dir: Path | None,
    terraform_bin: str | None,
    to: str | None,
    lock_timeout: float,
    out: Output,
) -> int:
    """Re-apply an earlier image (the last verified one by default) and verify it.

    \b
    Examples:
      opskit deploy rollback -p playbooks/demo-local.yml --env staging
      opskit deploy rollback -p playbooks/demo-local.yml --to sha256:3f2a9c
    """
    target = _target(playbook, env, state_dir, terraform_bin)
    return emit(api.run_rollback(target, to, lock_timeout, out), out)


@deploy.command()
@_target_options
@opskit_command(config_from="playbook", formats=STATE_FORMATS, fail_on=False)
def status(
    playbook: Path | None, env: str | None, state_dir: Path | None, terraform_bin: str | None, out: Output
) -> int:
    """What runs now: the last deploy, Terraform's outputs and the lock.

    \b
    Example:
      opskit deploy status -p playbooks/demo-local.yml --format json
    """
    return _state(api.show_status(_target(playbook, env, state_dir, terraform_bin)), out)


@deploy.command()
@_target_options
@click.option("-n", "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Newest N deploys.")
@opskit_command(config_from="playbook", formats=STATE_FORMATS, fail_on=False)
def history(
    playbook: Path | None,
    env: str | None,
    state_dir: Path | None,
    terraform_bin: str | None,
    limit: int,
    out: Output,
) -> int:
    """Past deploys and rollbacks, newest first.

    \b
    Example:
      opskit deploy history -p playbooks/demo-local.yml -n 5
    """
    return _state(api.show_history(_target(playbook, env, state_dir, terraform_bin), limit), out)


@deploy.command()
@_target_options
@opskit_command(config_from="playbook", formats=STATE_FORMATS, fail_on=False)
def lock(playbook: Path | None, env: str | None, state_dir: Path | None, terraform_bin: str | None, out: Output) -> int:
    """Who holds the deploy lock (pid, host, since when, stale or not).

    \b
    Example:
      opskit deploy lock -p playbooks/demo-local.yml --env staging
    """
    return _state(api.show_lock(_target(playbook, env, state_dir, terraform_bin)), out)


@deploy.command()
@_target_options
@click.option("--force", is_flag=True, help="Release even a lock whose holder still runs on this host.")
@opskit_command(config_from="playbook", formats=STATE_FORMATS, fail_on=False)
def unlock(
    playbook: Path | None,
    env: str | None,
    state_dir: Path | None,
    terraform_bin: str | None,
    force: bool,
    out: Output,
) -> int:
    """Release a deploy lock left by a crashed deploy (or an unreadable lock file).

    \b
    Example:
      opskit deploy unlock -p playbooks/demo-local.yml --env staging
    """
    return _state(api.release_lock(_target(playbook, env, state_dir, terraform_bin), force), out)
