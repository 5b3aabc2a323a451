"""Whole files from git for ``--staged`` and ``--history`` scans, whose sources are only added lines.

Code and IaC scanners need the whole file to parse it (an added line alone is rarely valid
Python; a USER or an encryption block may sit on an unchanged line), so the runner reads the
staged or committed version in full and keeps the findings on the added lines.
"""

from __future__ import annotations

from collections.abc import Iterable

from opskit.core.git import TIMEOUT_SECONDS, git_output


def _spec(commit: str, path: str) -> str:
    return f":./{path}" if commit == "staged" else f"{commit}:./{path}"


def read_blobs(root: str, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Many ``(commit, path)`` files through one ``git cat-file --batch`` (one process, not one per
    file); files that are absent, or whose names cannot go through the batch protocol, are left out."""
    keys = [(commit, path) for commit, path in dict.fromkeys(wanted) if "\n" not in path and "\n" not in commit]
    if not keys:
        return {}
    request = "".join(_spec(commit, path) + "\n" for commit, path in keys).encode("utf-8", "surrogateescape")
    out = git_output(root, "cat-file", "--batch", stdin=request, timeout=TIMEOUT_SECONDS * 4)
    if out is None:
        return {}
    blobs: dict[tuple[str, str], str] = {}
    pos = 0
    for key in keys:
        end = out.find(b"\n", pos)
        if end < 0:
            break
        header = out[pos:end].split()
        pos = end + 1
        if len(header) != 3 or not header[2].isdigit():
            continue  # "<spec> missing" or "ambiguous": nothing follows
        size = int(header[2])
        if header[1] == b"blob":
            blobs[key] = out[pos:pos + size].decode("utf-8", "replace")
        pos += size + 1  # the content and its trailing newline
    return blobs


def read_blob(root: str, commit: str, path: str) -> str | None:
    """``path`` (relative to ``root``) as staged (``commit == "staged"``) or at ``commit``; None if absent."""
    out = git_output(root, "show", _spec(commit, path))
    return None if out is None else out.decode("utf-8", "replace")
