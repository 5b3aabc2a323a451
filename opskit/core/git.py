"""Short git commands for every command that reads a repository (audit, monitor lint, deploy):
one place that knows how git is run, how long it may take and what a failure means."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from opskit.core.errors import InputError

TIMEOUT_SECONDS = 30


def git_output(
    where: Path | str, *args: str, stdin: bytes | None = None, timeout: float = TIMEOUT_SECONDS
) -> bytes | None:
    """Standard output of ``git -C where args...``; None when git is missing, slow or fails."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(where), *args],
            input=stdin if stdin is not None else b"",  # never the terminal: git must not wait on it
            capture_output=True,
            check=False,
            timeout=timeout,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None


def git_text(where: Path | str, *args: str) -> str | None:
    """``git_output`` as stripped text (for one-line answers such as a commit or a URL)."""
    out = git_output(where, *args)
    return None if out is None else out.decode("utf-8", "surrogateescape").strip()


def git_toplevel(path: Path) -> Path | None:
    """The git work tree containing ``path``, or None outside git."""
    top = git_text(path, "rev-parse", "--show-toplevel")
    return Path(top) if top else None


def work_tree(path: Path, needed_for: str) -> Path:
    """The git work tree holding ``path`` (a file or a directory); a one-line InputError saying
    what needed it when git is missing or ``path`` is outside a work tree."""
    directory = path if path.is_dir() else path.parent
    if shutil.which("git") is None:
        raise InputError(f"git is not installed (needed for {needed_for})")
    top = git_toplevel(directory)
    if top is None:
        raise InputError(f"{directory}: not inside a git work tree (needed for {needed_for})")
    return top
