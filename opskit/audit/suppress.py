"""Suppression for every scanner family: inline ``opskit: ignore[rule]`` comments and ``.opskitignore``.

An inline comment on a finding's line hides it (all rules, or only the listed ones). The ignore
file at the scan root lists fingerprints (one accepted finding), path globs (everything under a
path) or ``rule-id:glob`` (one rule under a path); ``#`` starts a comment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from opskit.audit.files import _glob
from opskit.audit.interface import SourceFile
from opskit.core.errors import InputError
from opskit.core.findings import Finding
from opskit.core.git import git_toplevel

IGNORE_FILE = ".opskitignore"
_INLINE = re.compile(r"opskit:\s*ignore(?:\[([^\]]*)\])?")
_FINGERPRINT = re.compile(r"^[0-9a-f]{32}$")


def inline_suppressed(line: str, rule_id: str, *former_ids: str) -> bool:
    """Whether ``line`` carries an ignore comment that covers ``rule_id`` (or an id it had before)."""
    for match in _INLINE.finditer(line):
        listed = match.group(1)
        if listed is None or {rule_id, *former_ids} & {r.strip() for r in listed.split(",")}:
            return True
    return False


def _ids(finding: Finding) -> set[str]:
    """The finding's rule id and the ids its rule had before (``tf-db-public`` for ``iac.tf-db-public``)."""
    return {finding.rule_id, *finding.properties.get("former_ids", ())}


def drop_inline_suppressed(findings: Sequence[Finding], sources: Sequence[SourceFile]) -> list[Finding]:
    """Findings whose line has no ignore comment for their rule (texts split only when needed)."""
    texts = {(s.path, s.origin.get("commit", "")): s.text for s in sources}
    split: dict[tuple[str, str], list[str]] = {}
    kept = []
    for finding in findings:
        line = finding.location.line
        key = (finding.location.path, str(finding.properties.get("commit", "")))
        text = texts.get(key)
        if line is None or text is None or "opskit" not in text:
            kept.append(finding)
            continue
        lines = split.setdefault(key, text.splitlines())
        if not (0 < line <= len(lines) and inline_suppressed(lines[line - 1], *_ids(finding))):
            kept.append(finding)
    return kept


@dataclass(frozen=True)
class IgnoreList:
    """The parsed ignore file: accepted fingerprints and (rule, path glob) pairs."""

    source: str = ""
    fingerprints: frozenset[str] = frozenset()
    globs: tuple[tuple[str | None, str], ...] = ()

    def ignores(self, finding: Finding) -> bool:
        if finding.fingerprint in self.fingerprints:
            return True
        return any((rule is None or rule in _ids(finding)) and _glob(finding.location.path, pattern)
                   for rule, pattern in self.globs)


def parse_ignore_file(text: str, source: str) -> IgnoreList:
    fingerprints: set[str] = set()
    globs: list[tuple[str | None, str]] = []
    for raw in text.splitlines():
        entry = raw.split("#", 1)[0].strip()
        if not entry:
            continue
        if _FINGERPRINT.match(entry):
            fingerprints.add(entry)
        elif ":" in entry and not entry.startswith(("/", "*")):
            rule, pattern = entry.split(":", 1)
            globs.append((rule.strip(), pattern.strip() or "*"))
        else:
            globs.append((None, entry.rstrip("/") + ("/**" if entry.endswith("/") else "")))
    return IgnoreList(source, frozenset(fingerprints), tuple(globs))


def load_ignore_file(root: Path) -> IgnoreList:
    """``.opskitignore`` in the scan root, else at the top of its git work tree; empty when absent."""
    candidates = [root / IGNORE_FILE]
    top = git_toplevel(root) if root.is_dir() else None
    if top is not None:
        candidates.append(top / IGNORE_FILE)
    for path in candidates:
        if path.is_file():
            try:
                return parse_ignore_file(path.read_text(encoding="utf-8"), str(path))
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"{path}: cannot read ignore file: {exc}") from None
    return IgnoreList()


def apply_ignore_list(findings: Sequence[Finding], ignore: IgnoreList) -> list[Finding]:
    return [f for f in findings if not ignore.ignores(f)]
