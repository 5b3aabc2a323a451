"""Turns secret matches into Findings: redacted, content-fingerprinted, and lowered where credentials are
usually illustrations (tests, fixtures, docs, examples, docstrings)."""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from typing import Any

from opskit.audit.secrets.filters import docstring_spans, is_doc_path, is_test_path
from opskit.audit.secrets.interface import SecretMatch
from opskit.core.findings import Confidence, Finding, Location, Severity, fingerprint
from opskit.core.redact import mask_secret

ORIGIN_KEYS = ("commit", "author", "date", "image", "layer", "removed_later")  # where a git or image source found it
OWASP = ("A07:2021-Identification and Authentication Failures",)
SNIPPET_WIDTH = 200
MASK_ELSEWHERE_LIMIT = 100  # distinct secrets per file searched for on every snippet line
# Fingerprints hash the secret with this salt, so a fingerprint never works as a lookup for a leaked value.
_SALT = b"opskit-audit-secrets/v1\x00"


def secret_hash(secret: str) -> str:
    return hashlib.sha256(_SALT + secret.encode("utf-8", "surrogateescape")).hexdigest()


def secret_fingerprint(rule_id: str, path: str, secret: str) -> str:
    """Content-based: the same secret under the same rule in the same file, wherever the line moves."""
    return fingerprint("secrets", rule_id, path, secret_hash(secret))


def lowered(severity: Severity) -> Severity:
    """Two steps down, but never below low: a key in a fixture is usually fake, yet still worth a look."""
    order = list(Severity)
    return order[max(min(severity.rank, Severity.LOW.rank), severity.rank - 2)]


class _Lines:
    """Line numbers and line spans of one text, computed once per file that has findings."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def line_of(self, offset: int) -> int:
        return bisect_right(self.starts, offset)

    def span(self, line: int) -> tuple[int, int]:
        start = self.starts[line - 1]
        return start, self.starts[line] - 1 if line < len(self.starts) else len(self.text)


class _Masks:
    """The masked spans of one line, sorted once, so each snippet looks only at those near it
    (a minified line with thousands of secrets must not cost thousands of passes per finding)."""

    def __init__(self, spans: Sequence[tuple[int, int, str]]) -> None:
        self.spans = sorted(set(spans))
        self.starts = [span[0] for span in self.spans]
        self.longest = max((end - start for start, end, _ in self.spans), default=0)

    def near(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """The spans that overlap ``[start, end)``, in order."""
        first, last = bisect_left(self.starts, start - self.longest), bisect_left(self.starts, end)
        return [span for span in self.spans[first:last] if span[1] > start]


def _snippet(lines: _Lines, line: int, line_masks: _Masks, focus: int) -> str:
    """The finding's line with every secret on it replaced by its mask; a long line is cut to a
    window around ``focus`` (the secret's offset), so minified files still show the context."""
    line_start, line_end = start, end = lines.span(line)
    if end - start > SNIPPET_WIDTH:
        start = max(start, min(focus - SNIPPET_WIDTH // 4, end - SNIPPET_WIDTH))
        end = start + SNIPPET_WIDTH
        # Never cut inside a secret: its mask stands for all of it.
        for m_start, m_end, _ in line_masks.near(start, end):
            if m_start < start < m_end:
                start = max(line_start, m_start)
            if m_start < end < m_end:
                end = min(line_end, m_end)
    cut_before, cut_after = ("…" if start > line_start else ""), ("…" if end < line_end else "")
    out, pos = [], start
    for m_start, m_end, shown in line_masks.near(start, end):
        if m_end <= pos or m_start >= end:
            continue
        out.append(lines.text[pos:max(pos, m_start)])
        out.append(shown)
        pos = max(pos, min(m_end, end))
    out.append(lines.text[pos:end])
    return cut_before + "".join(out).strip() + cut_after


def _mask_repeats(
    lines: _Lines, numbers: set[int], shown: Mapping[str, str], masks: dict[int, list[tuple[int, int, str]]]
) -> None:
    """Also mask every found secret where it recurs on a snippet line without being a match there
    (``# old value was ...`` next to another finding's line must not leak it)."""
    for number in numbers:
        start, end = lines.span(number)
        line_text = lines.text[start:end]
        for secret, mask in shown.items():
            at = line_text.find(secret)
            while at >= 0:
                masks.setdefault(number, []).append((start + at, start + at + len(secret), mask))
                at = line_text.find(secret, at + len(secret))


def _origin_note(origin: Mapping[str, str]) -> str:
    commit = origin.get("commit", "")
    if "layer" in origin:
        removed = ", removed by a later layer but still shipped" if origin.get("removed_later") else ""
        return f" (in image {origin.get('image', '?')}, layer {origin['layer'][:19]}{removed})"
    if not commit:
        return ""
    if commit == "staged":
        return " (staged change)"
    return f" (added in commit {commit[:12]} by {origin.get('author', '?')} on {origin.get('date', '?')})"


def to_findings(
    matches: Sequence[SecretMatch],
    path: str,
    text: str,
    *,
    cwe: int,
    show_secrets: bool = False,
    origin: Mapping[str, str] | None = None,
) -> list[Finding]:
    """One Finding per match; without ``show_secrets`` no field carries a secret in full."""
    if not matches:
        return []
    origin = origin or {}
    lines = _Lines(text)
    shown = {m.secret: (m.secret if show_secrets else mask_secret(m.secret)) for m in matches}
    masks: dict[int, list[tuple[int, int, str]]] = {}  # by line: the spans to mask on it
    for m in [] if show_secrets else matches:
        for number in range(lines.line_of(m.start), lines.line_of(max(m.start, m.end - 1)) + 1):
            masks.setdefault(number, []).append((m.start, m.end, mask_secret(text[m.start:m.end])))
    if not show_secrets and len(shown) <= MASK_ELSEWHERE_LIMIT:
        _mask_repeats(lines, {lines.line_of(m.start) for m in matches}, shown, masks)
    by_line = {number: _Masks(spans) for number, spans in masks.items()}
    no_masks = _Masks(())
    in_tests = is_test_path(path)
    in_docs = not in_tests and is_doc_path(path)
    docstrings = docstring_spans(text) if path.endswith((".py", ".pyi")) else []
    docstring_starts = [start for start, _ in docstrings]
    findings = []
    for match in matches:
        line = lines.line_of(match.start)
        end_line = lines.line_of(max(match.start, match.end - 1))
        line_start, _ = lines.span(line)
        end_line_start, _ = lines.span(end_line)
        rule = match.rule
        value = shown[match.secret]
        decoded = f", inside {match.encoding}-encoded data" if match.encoding else ""
        properties: dict[str, Any] = {"secret": value, "secret_length": len(match.secret)}
        if match.encoding:
            properties["encoding"] = match.encoding
        at = bisect_right(docstring_starts, match.start) - 1
        in_docstring = at >= 0 and match.start < docstrings[at][1]
        if in_tests:
            properties["test_path"] = True
        if in_docs:
            properties["doc_path"] = True
        if match.checksum_ok is not None:
            properties["checksum"] = "valid" if match.checksum_ok else "invalid"
        if in_docstring:
            properties["docstring"] = True
        properties.update({k: origin[k] for k in ORIGIN_KEYS if k in origin})
        findings.append(
            Finding(
                rule_id=rule.id,
                title=rule.description,
                severity=lowered(rule.severity) if in_tests or in_docs or in_docstring else rule.severity,
                message=f"{rule.description}: {value}{decoded}{_origin_note(origin)}",
                location=Location(
                    path=path,
                    line=line,
                    column=match.start - line_start + 1,
                    end_line=end_line,
                    end_column=match.end - end_line_start + 1,  # exclusive, as in SARIF
                    snippet=_snippet(lines, line, by_line.get(line, no_masks), focus=match.start),
                ),
                fingerprint=secret_fingerprint(rule.id, path, match.secret),
                # A token whose built-in checksum fails is likely made up (a fixture, a doc), not issued.
                confidence=Confidence.LOW if match.checksum_ok is False else rule.confidence,
                cwe=(cwe,),
                owasp=OWASP,
                properties=properties,
            )
        )
    return findings
