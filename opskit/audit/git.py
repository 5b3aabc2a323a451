"""Staged changes and git history as scan sources: the added lines of each file, read from one
``git diff``/``git log -p`` stream, with each file's lines kept at their real line numbers."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from opskit.audit.files import FileFilter
from opskit.audit.interface import SourceFile
from opskit.audit.trees import GitTree
from opskit.core.errors import InputError
from opskit.core.git import work_tree
from opskit.core.unidiff import HUNK, new_path

_COMMIT = "\x1eopskit-commit\x1f"
_DIFF_OPTIONS = ["-p", "-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", "--relative"]


def _git(target: Path, args: list[str]) -> subprocess.Popen[bytes]:
    if not target.is_dir():
        target = target.parent
    work_tree(target, "--staged and --history")
    return subprocess.Popen(["git", "-C", str(target), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


class _FileText:
    """Added lines of one file, padded with empty lines so line numbers match the new file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.parts: list[str] = []
        self.next_line = 1

    def add(self, number: int, line: str) -> None:
        if number > self.next_line:
            self.parts.append("\n" * (number - self.next_line))
        self.parts.append(line + "\n")
        self.next_line = number + 1

    def text(self) -> str:
        return "".join(self.parts)


def parse_patch(lines: Iterable[str], selection: FileFilter, origin: dict[str, str]) -> Iterator[SourceFile]:
    """SourceFiles of the added lines in a stream of ``git diff``/``git log -p -U0`` output.

    Commit headers (``_COMMIT`` + hash, author, date) switch the origin attached to later files.
    """
    current: _FileText | None = None
    in_header = False
    next_line = 0

    def flush() -> Iterator[SourceFile]:
        if current is not None and current.parts:
            yield SourceFile(path=current.path, text=current.text(), origin=dict(origin))

    for raw in lines:
        line = raw.rstrip("\n")
        if line.startswith(_COMMIT):
            yield from flush()
            current = None
            commit, author, date = (line[len(_COMMIT):].split("\x1f") + ["", ""])[:3]
            origin = {"commit": commit, "author": author, "date": date}
        elif line.startswith("diff --git "):
            yield from flush()
            current, in_header = None, True
        elif in_header and line.startswith("+++ "):
            path = new_path(line)
            if path is not None:
                current = _FileText(path) if selection.selects(path) else None
        elif line.startswith("@@"):
            in_header = False
            hunk = HUNK.match(line)
            next_line = int(hunk.group(1)) if hunk else 0
        elif not in_header and current is not None and line.startswith("+"):
            current.add(next_line, line[1:])
            next_line += 1
    yield from flush()


def _stream(
    target: Path, args: list[str], selection: FileFilter, origin: dict[str, str], what: str
) -> list[SourceFile]:
    process = _git(target, args)
    assert process.stdout is not None and process.stderr is not None
    text_lines = (raw.decode("utf-8", "replace") for raw in process.stdout)
    root = str(target if target.is_dir() else target.parent)
    sources = [replace(s, tree=GitTree(root, s.origin.get("commit", "")))
               for s in parse_patch(text_lines, selection, origin)]
    error = process.stderr.read().decode("utf-8", "replace").strip().splitlines()
    if process.wait() != 0:
        reason = error[-1] if error else f"exit status {process.returncode}"
        raise InputError(f"{target}: git {what} failed: {reason}")
    return sources


def staged_sources(target: Path, selection: FileFilter) -> list[SourceFile]:
    """Lines added in the index (what ``git commit`` would record), for pre-commit hooks."""
    args = ["diff", "--cached", "--diff-filter=ACMR", *_DIFF_OPTIONS]
    return _stream(target, args, selection, {"commit": "staged"}, "diff --cached")


def history_sources(target: Path, selection: FileFilter, since: str | None) -> list[SourceFile]:
    """Lines added by every commit on every ref and in the reflog (or only commits after ``since``).

    A secret added long ago and deleted since is still found in the commit that added it, and so
    is one in a commit that was reset away or amended but is still in the reflog.
    """
    fmt = f"--format={_COMMIT}%H%x1f%an <%ae>%x1f%aI"
    revisions = [f"{since}..HEAD"] if since else ["--all", "--reflog"]
    args = ["log", *_DIFF_OPTIONS, "--full-history", fmt, *revisions, "--"]
    return _stream(target, args, selection, {}, "log")
