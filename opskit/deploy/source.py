"""The git facts of a build context: the commit an image is tagged and labelled with, and its origin."""

from __future__ import annotations

import subprocess
from pathlib import Path

from opskit.core.errors import InputError
from opskit.core.redact import mask_dsn
from opskit.deploy.interface import Playbook


def _git(context: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(context), *args], capture_output=True, text=True, check=False, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def git_commit(playbook: Playbook) -> tuple[str, str]:
    """``(commit sha, source)`` of the build context; source is the origin URL (credentials masked)."""
    context = playbook.image.context
    commit = _git(context, "rev-parse", "HEAD")
    if not commit:
        raise InputError(f"{context}: not in a git checkout with a commit; pass --commit SHA")
    origin = _git(context, "remote", "get-url", "origin")
    return commit, mask_dsn(origin) if origin else str(context)


def context_clean(playbook: Playbook) -> bool:
    """No uncommitted change (tracked or untracked) under the build context; False when git cannot tell."""
    return _git(playbook.image.context, "status", "--porcelain", "--", ".") == ""
