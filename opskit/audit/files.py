"""Which files an audit reads: git-aware, skipping binaries, lock files, vendored and minified code."""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from opskit.audit.archives import ARCHIVE_MAX_BYTES, is_archive
from opskit.audit.interface import FileRef
from opskit.core.errors import InputError
from opskit.core.git import git_output
from opskit.core.inputs import check_path_length, kind_of, regular_file_problem

SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", "vendor", "third_party", "bower_components", "__pycache__",
     ".mypy_cache", ".ruff_cache", ".pytest_cache", ".tox", ".venv", "venv", ".opskit-cache"}
)
LOCK_FILES = frozenset(
    {"package-lock.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "Pipfile.lock", "Cargo.lock",
     "go.sum", "composer.lock", "Gemfile.lock", "uv.lock", "pdm.lock", "packages.lock.json", "pylock.toml",
     "bun.lock"}
)
BINARY_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".svgz", ".pdf", ".zip", ".gz", ".bz2",
     ".xz", ".zst", ".tar", ".tgz", ".7z", ".rar", ".jar", ".war", ".class", ".so", ".dylib", ".dll",
     ".exe", ".o", ".a", ".pyc", ".pyo", ".whl", ".egg", ".woff", ".woff2", ".ttf", ".otf", ".eot",
     ".mp3", ".mp4", ".wav", ".ogg", ".avi", ".mov", ".sqlite", ".db", ".bin", ".npy", ".pkl", ".parquet"}
)
MINIFIED_SUFFIXES = (".min.js", ".min.css", ".min.mjs", ".bundle.js", ".js.map", ".css.map")


@dataclass(frozen=True)
class FileFilter:
    """The user's selection: include/exclude globs, a size limit, and whether defaults apply."""

    include: Sequence[str] = ()
    exclude: Sequence[str] = ()
    max_size: int = 2 * 1024 * 1024
    skip_vendored: bool = True
    keep_lock_files: bool = False  # the deps scanner's pass reads them
    archive_depth: int = 0  # > 0: archives (zip, jar, tar, tgz...) are selected, to be opened by audit.archives

    def selects(self, relpath: str) -> bool:
        if self.include and not any(_glob(relpath, g) for g in self.include):
            return False
        if any(_glob(relpath, g) for g in self.exclude):
            return False
        name = relpath.rsplit("/", 1)[-1]
        if Path(name).suffix.lower() in BINARY_SUFFIXES and not (self.archive_depth and is_archive(name)):
            return False
        if self.skip_vendored:
            if (name in LOCK_FILES and not self.keep_lock_files) or name.endswith(MINIFIED_SUFFIXES):
                return False
            if any(part in SKIP_DIRS for part in relpath.split("/")[:-1]):
                return False
        return True


def _glob(relpath: str, pattern: str) -> bool:
    """Match a glob against the whole relative path or any trailing part of it (``*.py``, ``src/**``)."""
    if fnmatch.fnmatchcase(relpath, pattern) or fnmatch.fnmatchcase(relpath, pattern.replace("**/", "")):
        return True
    parts = relpath.split("/")
    return any(fnmatch.fnmatchcase("/".join(parts[i:]), pattern) for i in range(1, len(parts)))


def _git_files(root: Path) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files under ``root`` (honours .gitignore)."""
    out = git_output(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if out is None:
        return None
    return sorted({p for p in out.decode("utf-8", "surrogateescape").split("\0") if p})


def _walk(root: Path, skip_vendored: bool) -> Iterator[str]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != ".git" and not (skip_vendored and d in SKIP_DIRS))
        rel = os.path.relpath(dirpath, root)
        for name in sorted(filenames):
            yield name if rel == "." else f"{rel}/{name}".replace(os.sep, "/")


def discover_files(target: Path, selection: FileFilter) -> tuple[list[FileRef], list[str]]:
    """The files to scan under ``target`` and one note per file skipped (size, FIFO, device)."""
    check_path_length(target, "audit target")
    if not target.exists():
        raise InputError(f"{target}: no such file or directory")
    if not target.is_dir():
        problem = regular_file_problem(target)
        if problem:
            return [], [f"{target}: skipped, {problem}"]
        return [FileRef(path=target.name if target.is_absolute() else str(target),
                        abspath=str(target.resolve()), size=target.stat().st_size)], []
    root = target.resolve()
    names = _git_files(root)  # None outside a git work tree: git ls-files fails there
    if names is None:
        names = list(_walk(root, selection.skip_vendored))
    refs: list[FileRef] = []
    notes: list[str] = []
    for rel in names:
        if not selection.selects(rel):
            continue
        abspath = os.path.join(root, rel)
        try:
            st = os.lstat(abspath)
        except OSError:
            continue  # deleted from the work tree but still in the index
        kind = kind_of(st.st_mode)
        if stat.S_ISLNK(st.st_mode) or stat.S_ISDIR(st.st_mode):
            continue  # links are not followed; a directory here is a git submodule
        if kind is not None:
            notes.append(f"{rel}: skipped, is {kind}, not a regular file")
            continue
        if st.st_size > (ARCHIVE_MAX_BYTES if selection.archive_depth and is_archive(rel) else selection.max_size):
            notes.append(f"{rel}: skipped, {st.st_size} bytes is over --max-file-size {selection.max_size}")
            continue
        refs.append(FileRef(path=rel, abspath=abspath, size=st.st_size))
    return refs, notes

