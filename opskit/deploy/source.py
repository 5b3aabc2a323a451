"""The git facts of a build context: the commit an image is tagged and labelled with, and its origin."""

from __future__ import annotations

from opskit.core.errors import InputError
from opskit.core.git import git_text
from opskit.core.redact import mask_dsn
from opskit.deploy.interface import Playbook


def git_commit(playbook: Playbook) -> tuple[str, str]:
    """``(commit sha, source)`` of the build context; source is the origin URL (credentials masked)."""
    context = playbook.image.context
    commit = git_text(context, "rev-parse", "HEAD")
    if not commit:
        raise InputError(f"{context}: not in a git checkout with a commit; pass --commit SHA")
    origin = git_text(context, "remote", "get-url", "origin")
    return commit, mask_dsn(origin) if origin else str(context)


def context_clean(playbook: Playbook) -> bool:
    """No uncommitted change (tracked or untracked) under the build context; False when git cannot tell."""
    return git_text(playbook.image.context, "status", "--porcelain", "--", ".") == ""
