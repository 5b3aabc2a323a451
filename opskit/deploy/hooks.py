"""Pre- and post-deploy hooks: shell commands that get the deploy's facts as ``OPSKIT_*`` env vars.

Their output is streamed through ``scrub`` like every other tool's, since a hook sees the same
environment (and so the same secrets) as opskit.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from opskit.core.redact import scrub
from opskit.deploy.interface import LineSink


class HookFailed(Exception):
    """A hook exited non-zero or ran past its timeout; ``message`` says which and how."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def hook_env(facts: Mapping[str, object]) -> dict[str, str]:
    """``{"commit": "ab12"}`` -> ``{"OPSKIT_COMMIT": "ab12"}``; None becomes an empty string."""
    return {f"OPSKIT_{k.upper()}": "" if v is None else str(v) for k, v in facts.items()}


def run_hooks(
    stage: str,
    commands: Iterable[str],
    facts: Mapping[str, object],
    cwd: Path,
    timeout: float,
    secrets: Iterable[str],
    log: LineSink,
) -> None:
    """Run each command with ``sh -c`` in ``cwd``; raise HookFailed on the first that fails."""
    env = {**os.environ, **hook_env({**facts, "hook": stage})}
    hidden = tuple(secrets)
    for command in commands:
        log(f"hook {stage}: {scrub(command, hidden)}")
        try:
            proc = subprocess.run(
                ["sh", "-c", command],
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise HookFailed(f"{stage} hook timed out after {timeout:g}s: {scrub(command, hidden)}") from None
        except OSError as exc:
            raise HookFailed(f"{stage} hook could not start in {cwd}: {exc.strerror or exc}") from None
        for line in proc.stdout.splitlines():
            log(f"  | {scrub(line, hidden)}")
        if proc.returncode != 0:
            raise HookFailed(f"{stage} hook exited {proc.returncode}: {scrub(command, hidden)}")
