"""The secrets scanner's contracts: rules as data, the matches a detector yields, the detector itself."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import IntEnum

from opskit.core.findings import Confidence, Severity


class RuleKind(IntEnum):
    """How specific a rule is; when matches overlap the most specific one wins."""

    GENERIC = 0  # keyword-context assignment (password = "...")
    PATTERN = 1  # a token with its own shape (ghp_..., AKIA...)
    CONTEXT = 2  # a shape that only counts next to a vendor keyword (DD_API_KEY = "...")


@dataclass(frozen=True)
class Example:
    """One rule example: ``text`` scanned as if it were the file ``path``."""

    text: str
    path: str = "example.txt"


@dataclass(frozen=True)
class Rule:
    """One credential type, compiled from ``rules.yml``."""

    id: str
    description: str
    severity: Severity
    confidence: Confidence
    keywords: tuple[str, ...]  # lowercase literals; the regex runs only near one of them
    regex: re.Pattern[str]
    kind: RuleKind = RuleKind.PATTERN
    entropy: float | None = None
    multiline: bool = False
    span: int = 64 * 1024  # a multi-line rule's window after its keyword's line start (a PEM key needs 16 KB)
    validate: str | None = None
    supersedes: tuple[str, ...] = ()  # rules whose overlapping matches this rule's match replaces
    checksum: str | None = None  # a checksum the token format carries (filters.CHECKSUMS): grades confidence
    extractor: str | None = None  # a structural extractor (structured.py) that finds the secrets instead of regex
    # A file rule: the path (searched, "/"-separated) says what the whole file is (config/master.key,
    # rsyncd.secrets); its regex reads every matching file whole, and it needs no keywords.
    files: re.Pattern[str] | None = None
    true_positives: tuple[Example, ...] = ()
    false_positives: tuple[Example, ...] = ()


@dataclass(frozen=True)
class Allowlist:
    """Values that are documentation or placeholders, and key words that name settings, not secrets."""

    known_examples: frozenset[str] = frozenset()
    placeholder_words: tuple[str, ...] = ()
    placeholder_values: frozenset[str] = frozenset()
    key_words: frozenset[str] = frozenset()
    public_markers: tuple[str, ...] = ()  # substrings of values that are public by design (pk_live_)


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    allowlist: Allowlist
    cwe: int


@dataclass(frozen=True)
class SecretMatch:
    """A credential found in a text: the rule, the secret and where it is (0-based offsets)."""

    rule: Rule
    secret: str
    start: int  # span shown and masked in the snippet (the encoded blob for decoded secrets)
    end: int
    encoding: str | None = None  # "base64", "hex", "url", or a chain such as "base64/url"
    checksum_ok: bool | None = None  # None when the token format has no checksum

    def overlaps(self, other: SecretMatch) -> bool:
        return self.start < other.end and other.start < self.end


class Detector(ABC):
    """Finds credentials in one text; pure (no I/O), so workers and tests can call it directly."""

    @abstractmethod
    def find(self, text: str, path: str) -> list[SecretMatch]:
        """Every credential in ``text`` (the file ``path``, whose name selects config vs code rules)."""
