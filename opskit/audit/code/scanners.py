"""The code family's two scanners: bandit for Python, and opskit's own taint and pattern rules.

Both turn their results into opskit Findings carrying a CWE and an OWASP 2021 category; the
runner batches files across cores and caches results by content hash.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence

from opskit.audit.code import bandit_adapter
from opskit.audit.code.interface import Hit, Rule
from opskit.audit.code.patterns import PatternAnalysis
from opskit.audit.code.rulebook import load_rulebook
from opskit.audit.code.syntax import grammar_for, parse
from opskit.audit.code.taint import TaintAnalysis
from opskit.audit.interface import Scanner, ScanResult, ScanSettings, SourceFile
from opskit.core.findings import OWASP_2021, Confidence, Finding, Location, Severity, fingerprint
from opskit.core.redact import mask_dsn, mask_secret, scrub

CWE_URL = "https://cwe.mitre.org/data/definitions/{}.html"
_LEVELS = {"LOW": "low", "MEDIUM": "medium", "HIGH": "high"}
MINIFIED_LINE = 300  # average bytes per line above which a file is taken as minified
_QUOTED_PASSWORD = re.compile(r"password: '(.*?)'")


class BanditScanner(Scanner):
    """Bandit's Python checks, run in-process per batch, honouring ``# nosec`` and bandit's config."""

    name = "code-bandit"

    def __init__(self, settings: ScanSettings) -> None:
        super().__init__(settings)
        self.bandit = bandit_adapter.load_settings(settings.root)
        self.owasp = load_rulebook().bandit_owasp
        bandit_adapter.preload(self.bandit)  # once here, not in every forked worker

    def outside_inputs(self) -> str:
        return f"bandit {bandit_adapter.version()} {self.bandit!r}"  # its release and its config

    def wants(self, path: str) -> bool:
        return grammar_for(path) == "python" and not self.bandit.excludes(path)

    def scan(self, files: Sequence[SourceFile]) -> ScanResult:
        data = [(f.path, f.text.encode("utf-8", "surrogateescape")) for f in files]
        run = bandit_adapter.run_bandit(data, self.bandit)
        lines: dict[int, list[bytes]] = {}
        ordinals = _ordinals((i.file, i.line, i.test_id) for i in run.issues)
        findings = [
            _bandit_finding(issue, data[issue.file][0], lines.setdefault(issue.file, data[issue.file][1].splitlines()),
                            self.owasp, ordinal)
            for issue, ordinal in zip(run.issues, ordinals, strict=True)
        ]
        notes = [f"{data[index][0]}: bandit cannot parse it ({reason}) under this Python; checked with "
                 f"opskit's own rules only" for index, reason in run.unparsed]
        return ScanResult(findings=findings, notes=notes)


def _ordinals(keys: Iterable[Hashable]) -> list[int]:
    """How often each key came before: tells apart two identical issues on one line in fingerprints."""
    seen: Counter[Hashable] = Counter()
    result = []
    for key in keys:
        result.append(seen[key])
        seen[key] += 1
    return result


def _bandit_finding(issue: bandit_adapter.BanditIssue, path: str, lines: list[bytes], owasp: Mapping[int, str],
                    ordinal: int) -> Finding:
    category = owasp.get(issue.cwe, "A04")
    # B105-B107 quote the hardcoded password in their text; it must not appear in full anywhere.
    passwords = [m.group(1) for m in _QUOTED_PASSWORD.finditer(issue.text)]
    text = _QUOTED_PASSWORD.sub(lambda m: f"password: '{mask_secret(m.group(1))}'", issue.text)
    raw = lines[issue.line - 1].decode("utf-8", "replace").strip()[:200] if 0 < issue.line <= len(lines) else ""
    snippet = mask_dsn(scrub(raw, passwords))
    return Finding(
        rule_id=f"bandit.{issue.test_id}",
        title=f"{issue.test_id} {issue.test_name}",
        severity=Severity(_LEVELS.get(issue.severity, "low")),
        confidence=Confidence(_LEVELS.get(issue.confidence, "low")),
        message=text,
        location=Location(path=path, line=issue.line, column=issue.column, end_column=issue.end_column,
                          snippet=snippet),
        fingerprint=fingerprint("bandit", issue.test_id, path, snippet, *([ordinal] if ordinal else [])),
        cwe=(issue.cwe,) if issue.cwe else (),
        owasp=(OWASP_2021[category],),
        help_uri=issue.more_info,
        properties={"engine": "bandit"},
    )




class RulesScanner(Scanner):
    """opskit's own rules over Python and JavaScript/TypeScript: taint flows and insecure patterns."""

    name = "code-rules"

    def __init__(self, settings: ScanSettings) -> None:
        super().__init__(settings)
        book = load_rulebook()  # compiled once here; forked workers share it
        self.rules = book.rules
        self.taint, self.patterns = TaintAnalysis(book), PatternAnalysis(book)

    def wants(self, path: str) -> bool:
        return grammar_for(path) is not None

    def scan(self, files: Sequence[SourceFile]) -> ScanResult:
        taint, patterns, rules = self.taint, self.patterns, self.rules
        findings: list[Finding] = []
        notes: list[str] = []
        for source in files:
            try:
                hits = self._scan_one(source, taint, patterns)
            except RecursionError:
                notes.append(f"{source.path}: expressions nested too deeply to analyse; skipped by code rules")
                continue
            ordinals = _ordinals((hit.line, hit.rule) for hit in hits)
            findings.extend(_rule_finding(rules[hit.rule], hit, source.path, ordinal)
                            for hit, ordinal in zip(hits, ordinals, strict=True))
        return ScanResult(findings=findings, notes=notes)

    @staticmethod
    def _scan_one(source: SourceFile, taint: TaintAnalysis, patterns: PatternAnalysis) -> list[Hit]:
        grammar = grammar_for(source.path)
        data = source.text.encode("utf-8", "surrogateescape")
        language = "python" if grammar == "python" else "javascript"
        run_taint = taint.wants_source(data, language) and not _minified(data)
        run_patterns = patterns.wants(data, language)
        if not (run_taint or run_patterns):
            return []  # nothing a rule could match: skip the parse
        unit = parse(source.path, source.text)
        if unit is None:
            return []
        hits = [*(taint.run(unit) if run_taint else ()), *(patterns.run(unit) if run_patterns else ())]
        if any(hit.bandit for hit in hits) and _bandit_can_read(source.text):
            hits = [hit for hit in hits if not hit.bandit]  # bandit reports these itself
        return hits


def _bandit_can_read(text: str) -> bool:
    """Whether bandit, which parses with this interpreter, reads the file (no newer syntax)."""
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def _minified(data: bytes) -> bool:
    """Bundled or minified code (very long lines): no one writes request handlers there, and
    interpreting it costs far more than it can find."""
    return len(data) > MINIFIED_LINE * 4 and len(data) / (data.count(b"\n") + 1) > MINIFIED_LINE


def _rule_finding(rule: Rule, hit: Hit, path: str, ordinal: int) -> Finding:
    snippet = mask_dsn(hit.snippet)
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        severity=rule.severity,
        confidence=rule.confidence,
        message=f"{rule.title}: {hit.detail}. {rule.help}".strip(),
        location=Location(path=path, line=hit.line, column=hit.column, end_line=hit.end_line,
                          end_column=hit.end_column, snippet=snippet),
        fingerprint=fingerprint(rule.id, path, snippet, *([ordinal] if ordinal else [])),
        cwe=(rule.cwe,),
        owasp=(OWASP_2021[rule.owasp],),
        help_uri=CWE_URL.format(rule.cwe),
        properties={"engine": hit.engine},
    )
