"""The one findings model that every command produces and every renderer reads."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """Ordered severities; ``--fail-on`` compares against these."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_ORDER.index(self)

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls(value.lower())
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {value!r} (expected one of: {names})") from None


_SEVERITY_ORDER = [Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        """Order for choosing between findings: low < medium < high."""
        return list(Confidence).index(self)


class Verdict(StrEnum):
    """The one verdict of a gate, a check run or a deploy (\"passed\" and \"successful\" were two names for one)."""

    SUCCESSFUL = "successful"
    FAILED = "failed"
    INCONCLUSIVE = "inconclusive"

    @property
    def negative(self) -> bool:
        """A failed or inconclusive verdict fails the command (exit 1)."""
        return self is not Verdict.SUCCESSFUL


@dataclass(frozen=True)
class Location:
    """Where a finding is: a file path (relative to the scan root) or an endpoint, with 1-based lines."""

    path: str
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    snippet: str | None = None  # already redacted by the producer

    def __str__(self) -> str:
        if self.line is None:
            return self.path
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Finding:
    """One result of any command: a secret, a vulnerability, an index suggestion, a failing check."""

    rule_id: str
    title: str
    severity: Severity
    message: str
    location: Location
    fingerprint: str
    confidence: Confidence = Confidence.HIGH
    cwe: tuple[int, ...] = ()
    owasp: tuple[str, ...] = ()  # e.g. "A03:2021-Injection"
    help_uri: str | None = None
    properties: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def cwe_tags(self) -> list[str]:
        return [f"CWE-{n}" for n in self.cwe]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (schema documented in docs/json-schema.md)."""
        loc = self.location
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "severity": self.severity.value,
            "confidence": self.confidence.value,
            "message": self.message,
            "location": {
                "path": loc.path,
                "line": loc.line,
                "column": loc.column,
                "end_line": loc.end_line,
                "end_column": loc.end_column,
                "snippet": loc.snippet,
            },
            "cwe": self.cwe_tags,
            "owasp": list(self.owasp),
            "fingerprint": self.fingerprint,
            "help_uri": self.help_uri,
            "properties": dict(self.properties),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """Inverse of ``to_dict`` (used by caches and baselines)."""
        return cls(
            rule_id=data["rule_id"],
            title=data["title"],
            severity=Severity(data["severity"]),
            confidence=Confidence(data["confidence"]),
            message=data["message"],
            location=Location(**data["location"]),
            cwe=tuple(int(tag.split("-", 1)[1]) for tag in data["cwe"]),
            owasp=tuple(data["owasp"]),
            fingerprint=data["fingerprint"],
            help_uri=data.get("help_uri"),
            properties=data.get("properties", {}),
        )


def fingerprint(*parts: object) -> str:
    """A stable content hash for a finding: same parts, same fingerprint, across runs and line moves."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(str(part).encode("utf-8", "surrogateescape"))
        digest.update(b"\x1f")
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class Report:
    """What a command hands to a renderer: its findings plus command-specific data.

    ``data`` holds extra top-level JSON keys (for example ``indexes`` and ``queries`` from
    ``db suggest-indexes``); ``notes`` are one-line remarks (skipped files, labels such as
    "heuristic, not validated") that every format shows.
    """

    command: str
    findings: Sequence[Finding]
    data: Mapping[str, Any] = field(default_factory=dict)
    notes: Sequence[str] = ()
    verdict: Verdict | None = None  # for gates, check runs and deploys

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)

    def fails(self, fail_on: Severity | None) -> bool:
        """True when a finding reaches ``fail_on`` or the verdict is negative."""
        if self.verdict is not None and Verdict(self.verdict).negative:
            return True
        if fail_on is None:
            return False
        return any(f.severity.at_least(fail_on) for f in self.findings)


OWASP_2021 = {
    "A01": "A01:2021-Broken Access Control",
    "A02": "A02:2021-Cryptographic Failures",
    "A03": "A03:2021-Injection",
    "A04": "A04:2021-Insecure Design",
    "A05": "A05:2021-Security Misconfiguration",
    "A06": "A06:2021-Vulnerable and Outdated Components",
    "A07": "A07:2021-Identification and Authentication Failures",
    "A08": "A08:2021-Software and Data Integrity Failures",
    "A09": "A09:2021-Security Logging and Monitoring Failures",
    "A10": "A10:2021-Server-Side Request Forgery",
}
