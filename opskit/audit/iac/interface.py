"""The IaC and config checks' contracts: rules as data, hits before they become findings, checkers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from opskit.audit.interface import FileTree
from opskit.core.findings import Confidence, Severity


@dataclass(frozen=True)
class Example:
    """A file a rule must flag (``vulnerable``) or must not (``safe``), with the files beside it."""

    path: str
    text: str
    vulnerable: bool
    line: int | None = None  # where the finding must point, for vulnerable examples
    siblings: Mapping[str, str] = field(default_factory=dict, hash=False)  # e.g. {".dockerignore": "..."}


@dataclass(frozen=True)
class Rule:
    """One check's metadata and tunables, loaded from the YAML rule files."""

    id: str
    title: str
    severity: Severity
    confidence: Confidence
    cwe: tuple[int, ...]
    owasp: tuple[str, ...]
    fix: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    examples: tuple[Example, ...] = ()
    former_id: str | None = None  # the id before the ``iac.`` prefix: fingerprints and ignores keep using it
    checkov: tuple[str, ...] = ()  # checkov's ids for the same weakness (CKV_K8S_16), for users and the bench


@dataclass(frozen=True)
class Hit:
    """A rule matched at one line; the scanner turns it into a Finding with the rule's metadata.

    ``offending`` is the normalised text that identifies the issue for the fingerprint;
    ``secrets`` are values the scanner must mask wherever they appear (snippet, message).
    """

    rule_id: str
    line: int
    message: str
    offending: str
    snippet: str
    secrets: tuple[str, ...] = ()
    resource: str = ""  # the Terraform address or Kubernetes/compose object (Deployment/web) it belongs to
    origins: tuple[str, ...] = ()  # where the values behind it were set (a variable default, a tfvars line)


class Unparseable(Exception):
    """The file cannot be parsed; the scanner reports it as a one-line note."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class Checker(ABC):
    """Pure checks for one kind of file over its text and the other files of its snapshot that matter."""

    kind: ClassVar[str]  # "dockerfile", "terraform", "config", "kubernetes", "compose": its rule file
    context_globs: ClassVar[tuple[str, ...]] = ()  # other files anywhere in the tree that results depend on

    def __init__(self, rules: Mapping[str, Rule]) -> None:
        self.rules = rules

    @abstractmethod
    def wants(self, path: str) -> bool:
        """Whether this checker reads a file of this name (by name only)."""

    def reset(self) -> None:  # noqa: B027 (most checkers keep nothing between files)
        """Forget what was learnt about other files (a new batch may come from another snapshot)."""

    @abstractmethod
    def check(self, path: str, text: str, tree: FileTree) -> list[Hit]:
        """All hits in one file; ``tree`` is the snapshot it comes from, for the other files it needs."""
