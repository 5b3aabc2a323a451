"""The audit contracts: what a scanner sees (source files) and what it must provide."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from opskit.core.findings import Finding


@dataclass(frozen=True)
class FileRef:
    """A file on disk to scan, read lazily by the worker that scans it."""

    path: str  # shown to the user, relative to the scan root
    abspath: str
    size: int


class FileTree(ABC):
    """The snapshot a source file comes from (work tree, index, a commit): scanners whose result
    depends on other files (a Terraform module, a Dockerfile's .dockerignore) read them through it."""

    @abstractmethod
    def read(self, path: str) -> str | None:
        """A file's text (``path`` relative to the scan root), None when it is absent or unreadable."""

    @abstractmethod
    def listdir(self, directory: str) -> Sequence[str]:
        """Paths of the files directly in ``directory`` (relative to the scan root, "" for the root)."""

    def read_many(self, paths: Sequence[str]) -> dict[str, str | None]:
        """Several files at once (a module's files): a snapshot in git reads them in one request."""
        return {path: self.read(path) for path in paths}


@dataclass(frozen=True)
class SourceFile:
    """Text to scan: a file's content, a staged blob, or a blob from a commit in history."""

    path: str
    text: str
    origin: Mapping[str, str] = field(default_factory=dict, hash=False)  # commit, author, date, ...
    tree: FileTree | None = field(default=None, compare=False)  # the snapshot it belongs to, when known


@dataclass(frozen=True)
class ScanSettings:
    """Options every scanner may read; ``extra`` carries scanner-specific config keys."""

    show_secrets: bool = False
    root: str = "."
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class ScanResult:
    findings: Sequence[Finding] = ()
    notes: Sequence[str] = ()  # one line each: files that could not be parsed, tools that failed


class Scanner(ABC):
    """One family of audit rules. Instances are created once and shared with worker processes."""

    name: ClassVar[str]  # "secrets", "code", "iac"
    streams: ClassVar[bool] = False  # rules are line-local, so a big file can be scanned in windows

    def __init__(self, settings: ScanSettings) -> None:
        self.settings = settings

    def outside_inputs(self) -> str:
        """What results depend on outside opskit's audit package and the file itself (a tool's
        release, a config file's content); part of the cache key, which ``audit.cache`` makes."""
        return ""

    @abstractmethod
    def wants(self, path: str) -> bool:
        """Whether this scanner reads a file of this name (cheap: by name only)."""

    @abstractmethod
    def scan(self, files: Sequence[SourceFile]) -> ScanResult:
        """Scan a batch of files; batches let tools with a per-run cost (bandit) amortise it."""
