"""The snapshots the audit's sources read from: the work tree, the git index or a commit, or memory.

A scanner whose result depends on other files than the one it scans (all files of a Terraform
module, a Dockerfile's .dockerignore) reads them through the ``FileTree`` its source file carries,
so a staged or historic scan sees the other files as they were in that snapshot.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from opskit.audit.git_blobs import read_blob, read_blobs
from opskit.audit.interface import FileRef, FileTree
from opskit.core.git import git_output

MAX_BYTES = 2 * 1024 * 1024  # a companion file larger than this is treated as absent


def _decode(data: bytes) -> str | None:
    if len(data) > MAX_BYTES or b"\0" in data[:8192]:
        return None
    return data.decode("utf-8", "replace")


@dataclass(frozen=True)
class WorkTree(FileTree):
    """Files on disk under ``base``."""

    base: str

    @classmethod
    def of(cls, ref: FileRef) -> WorkTree:
        """The tree a discovered file's relative path is relative to (also for a single-file target)."""
        suffix = ref.path.replace("/", os.sep)
        if ref.abspath.endswith(os.sep + suffix):
            return cls(ref.abspath[: -len(suffix)])
        return cls(os.path.dirname(ref.abspath))

    def read(self, path: str) -> str | None:
        full = os.path.join(self.base, path)
        try:
            if not os.path.isfile(full):
                return None  # a FIFO or device must not block the scan
            with open(full, "rb") as handle:
                return _decode(handle.read(MAX_BYTES + 1))
        except OSError:
            return None

    def listdir(self, directory: str) -> Sequence[str]:
        try:
            names = sorted(os.listdir(os.path.join(self.base, directory)))
        except OSError:
            return []
        return [posixpath.join(directory, n) if directory else n for n in names
                if os.path.isfile(os.path.join(self.base, directory, n))]


def _usable(text: str | None) -> str | None:
    """A companion file's text, or None when it is too large or binary (treated as absent)."""
    return None if text is None or len(text) > MAX_BYTES or "\0" in text[:8192] else text


@dataclass(frozen=True)
class GitTree(FileTree):
    """Files as staged (``commit == "staged"``) or at a commit, in the repository at ``root``."""

    root: str
    commit: str

    def read(self, path: str) -> str | None:
        return _usable(read_blob(self.root, self.commit, path))

    def read_many(self, paths: Sequence[str]) -> dict[str, str | None]:
        """One ``git cat-file --batch`` for all of them, not a ``git show`` per file."""
        blobs = read_blobs(self.root, ((self.commit, path) for path in paths))
        return {path: _usable(blobs.get((self.commit, path))) for path in paths}

    def listdir(self, directory: str) -> Sequence[str]:
        prefix = f"{directory}/" if directory else "."
        if self.commit == "staged":
            data = git_output(self.root, "ls-files", "-z", "--", prefix)
        else:  # entries as "<mode> <type> <object>\t<path>": files only, not subdirectories
            data = git_output(self.root, "ls-tree", "-z", self.commit, "--", prefix)
        if data is None:
            return []
        entries = [e for e in data.decode("utf-8", "surrogateescape").split("\0") if e]
        if self.commit != "staged":
            entries = [path for meta, _, path in (e.partition("\t") for e in entries) if " blob " in f" {meta} "]
        return sorted(p for p in entries if posixpath.dirname(p) == directory)


@dataclass(frozen=True, eq=False)
class MemoryTree(FileTree):
    """Files held in memory: standard input, tests, a single file with nothing beside it."""

    files: Mapping[str, str] = field(default_factory=dict)

    def read(self, path: str) -> str | None:
        return self.files.get(path)

    def listdir(self, directory: str) -> Sequence[str]:
        return sorted(p for p in self.files if posixpath.dirname(p) == directory)
