"""Whole files from git for ``--staged`` and ``--history`` scans, whose sources are only added lines.

Code and IaC scanners need the whole file to parse it (an added line alone is rarely valid
Python; a USER or an encryption block may sit on an unchanged line), so the runner reads the
staged or committed version in full and keeps the findings on the added lines.
"""

from __future__ import annotations

import subprocess

GIT_TIMEOUT_SECONDS = 30


def read_blob(root: str, commit: str, path: str) -> str | None:
    """``path`` (relative to ``root``) as staged (``commit == "staged"``) or at ``commit``; None if absent."""
    spec = f":./{path}" if commit == "staged" else f"{commit}:./{path}"
    try:
        out = subprocess.run(["git", "-C", root, "show", spec], capture_output=True, check=False,
                             timeout=GIT_TIMEOUT_SECONDS)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.decode("utf-8", "replace") if out.returncode == 0 else None
