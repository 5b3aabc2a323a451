"""The audit-framework side of the IaC checks: hands checkers a file and its snapshot, turns hits into
findings, masks secrets."""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from opskit.audit.files import FileFilter, discover_files
from opskit.audit.iac.catalog import load_rules
from opskit.audit.iac.compose import ComposeChecker
from opskit.audit.iac.config import ConfigChecker
from opskit.audit.iac.dockerfile import DockerfileChecker
from opskit.audit.iac.github_actions import GithubActionsChecker
from opskit.audit.iac.interface import Checker, Hit, Rule, Unparseable
from opskit.audit.iac.kubernetes import KubernetesChecker
from opskit.audit.iac.terraform import TerraformChecker
from opskit.audit.interface import Scanner, ScanResult, ScanSettings, SourceFile
from opskit.audit.trees import MemoryTree
from opskit.core.findings import Finding, Location, fingerprint
from opskit.core.redact import mask_secret

CONTEXT_MAX_BYTES = 256 * 1024
_SPACES = re.compile(r"\s+")


class IacScanner(Scanner):
    """Runs one checker over a batch of files; subclasses pick the checker."""

    checker_class: ClassVar[type[Checker]]

    def __init__(self, settings: ScanSettings) -> None:
        super().__init__(settings)
        self.checker = self.checker_class(load_rules(self.checker_class.kind))

    def outside_inputs(self) -> str:
        # Results also depend on files such as .dockerignore: editing one re-scans.
        if not self.checker.context_globs:
            return ""
        return context_digest(Path(self.settings.root), self.checker.context_globs)

    def wants(self, path: str) -> bool:
        return self.checker.wants(path)

    def scan(self, files: Sequence[SourceFile]) -> ScanResult:
        findings: list[Finding] = []
        notes: list[str] = []
        self.checker.reset()
        for source in files:
            # --staged/--history: the runner hands the whole file at that revision and keeps the
            # findings on added lines; the other files of its module (or its .dockerignore) come
            # from the same snapshot, through the tree the source carries.
            tree = source.tree or MemoryTree({source.path: source.text})
            text = source.text
            try:
                hits = self.checker.check(source.path, text, tree)
            except Unparseable as exc:
                where = f"{source.path}:{exc.line}" if exc.line else source.path
                notes.append(f"{where}: cannot parse as {self.checker.kind}, skipped: {exc.message}")
                continue
            findings.extend(to_finding(hit, self.checker.rules[hit.rule_id], source.path, self.settings.show_secrets)
                            for hit in hits)
        return ScanResult(findings=findings, notes=notes)


def context_digest(root: Path, globs: Sequence[str]) -> str:
    """A hash of the content of every file under ``root`` matching ``globs`` (empty outside a directory)."""
    if not root.is_dir():
        return ""
    refs, _ = discover_files(root, FileFilter(include=tuple(globs)))
    digest = hashlib.blake2b(digest_size=8)
    for ref in refs:
        digest.update(ref.path.encode("utf-8", "surrogateescape") + b"\0")
        with contextlib.suppress(OSError):
            digest.update(Path(ref.abspath).read_bytes()[:CONTEXT_MAX_BYTES] + b"\0")
    return digest.hexdigest()


def to_finding(hit: Hit, rule: Rule, path: str, show_secrets: bool) -> Finding:
    """A Finding from a hit: rule metadata, the fix in the message, secrets masked, a stable fingerprint."""
    snippet, message = hit.snippet, hit.message
    for secret in () if show_secrets else sorted(hit.secrets, key=len, reverse=True):
        masked = mask_secret(secret)
        snippet, message = snippet.replace(secret, masked), message.replace(secret, masked)
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        severity=rule.severity,
        confidence=rule.confidence,
        message=f"{message} Fix: {rule.fix}",
        location=Location(path=path, line=hit.line, snippet=snippet),
        fingerprint=fingerprint(rule.former_id or rule.id, path, _SPACES.sub(" ", hit.offending).strip()),
        cwe=rule.cwe,
        owasp=rule.owasp,
        properties={**({"resource": hit.resource} if hit.resource else {}),
                    **({"origins": list(hit.origins)} if hit.origins else {}),
                    **({"former_ids": [rule.former_id]} if rule.former_id else {})},
    )


class DockerfileScanner(IacScanner):
    name = "iac-dockerfile"
    checker_class = DockerfileChecker


class TerraformScanner(IacScanner):
    name = "iac-terraform"
    checker_class = TerraformChecker


class ConfigScanner(IacScanner):
    name = "iac-config"
    checker_class = ConfigChecker



class KubernetesScanner(IacScanner):
    name = "iac-kubernetes"
    checker_class = KubernetesChecker


class ComposeScanner(IacScanner):
    name = "iac-compose"
    checker_class = ComposeChecker


class GithubActionsScanner(IacScanner):
    name = "iac-github-actions"
    checker_class = GithubActionsChecker
