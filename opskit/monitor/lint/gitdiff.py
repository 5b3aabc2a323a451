"""Which lines of which files changed, from ``git diff -U0``: for ``--staged`` (the index) and
``--base REV`` (the branch since it left REV, plus uncommitted work)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from opskit.core.errors import InputError
from opskit.core.git import work_tree
from opskit.core.unidiff import HUNK, new_path


def parse_changed_lines(diff: str, root: Path) -> dict[Path, set[int]]:
    """Added or changed line numbers of the new side of each file in a unified diff."""
    changed: dict[Path, set[int]] = {}
    current: set[int] | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            name = new_path(line)
            current = None if name is None else changed.setdefault((root / name).resolve(), set())
        elif line.startswith("@@") and current is not None:
            hunk = HUNK.match(line)
            if hunk:
                start, count = int(hunk.group(1)), int(hunk.group(2) or 1)
                current.update(range(start, start + count))
    return changed


def _merge_base(root: Path, base: str) -> str:
    result = subprocess.run(["git", "-C", str(root), "merge-base", base, "HEAD"],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise InputError(f"{root}: --base {base!r}: no common commit with HEAD (is it a branch or commit?)")
    return result.stdout.strip()


def changed_lines(where: Path, staged: bool, base: str | None) -> dict[Path, set[int]]:
    """Changed lines under ``where``'s git work tree; InputError outside one or for a bad REV."""
    root = work_tree(where, "--staged and --base")
    args = ["diff", "--cached"] if staged else ["diff", _merge_base(root, base or "HEAD")]
    result = subprocess.run(
        ["git", "-C", str(root), *args, "-U0", "--no-color", "--no-ext-diff", "--no-renames", "--"],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
        raise InputError(f"{root}: git {' '.join(args)} failed: {reason}")
    return parse_changed_lines(result.stdout, root)
