"""The code family's two scanners: bandit for Python, and opskit's own taint and pattern rules.

Both turn their results into opskit Findings carrying a CWE and an OWASP 2021 category; the
runner batches files across cores and caches results by content hash.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
from collections import Counter, OrderedDict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import replace

from opskit.audit.code import bandit_adapter
from opskit.audit.code.interface import Hit, Rule
from opskit.audit.code.patterns import PatternAnalysis
from opskit.audit.code.rulebook import load_rulebook
from opskit.audit.code.syntax import ParsedFile, Unparseable, grammar_for, parse
from opskit.audit.code.taint import TaintAnalysis
from opskit.audit.code.taint.project import Project, project_digest
from opskit.audit.interface import Scanner, ScanResult, ScanSettings, SourceFile
from opskit.core.findings import OWASP_2021, Confidence, Finding, Location, Severity, fingerprint
from opskit.core.redact import mask_dsn, mask_secret, scrub

CWE_URL = "https://cwe.mitre.org/data/definitions/{}.html"
_LEVELS = {"LOW": "low", "MEDIUM": "medium", "HIGH": "high"}
# Injection weaknesses: a bandit finding of these with no tainted flow behind it is only a hint.
INJECTION_CWES = frozenset({77, 78, 79, 89, 90, 94, 95, 502, 643, 611, 22, 1336, 943})
BUILT_STRING_CWES = frozenset({89})  # bandit reports these where the string is built (B608), not at the sink
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
        self.state = project_digest(settings.root)
        self.taint, self.project = _analysis(settings.root, self.state)

    def outside_inputs(self) -> str:
        # Its release and its config; and, through the hints, every code file's state (flows cross modules).
        return f"bandit {bandit_adapter.version()} {self.bandit!r} project {self.state}"

    def wants(self, path: str) -> bool:
        return grammar_for(path) == "python" and not self.bandit.excludes(path)

    def scan(self, files: Sequence[SourceFile]) -> ScanResult:
        data = [(f.path, f.text.encode("utf-8", "surrogateescape")) for f in files]
        run = bandit_adapter.run_bandit(data, self.bandit)
        lines: dict[int, list[bytes]] = {}
        ordinals = _ordinals((i.file, i.line, i.test_id) for i in run.issues)
        flows: dict[int, tuple[set[int], set[int]] | None] = {}
        for issue in run.issues:
            if issue.cwe in INJECTION_CWES and issue.file not in flows:
                flows[issue.file] = self._flow_lines(files[issue.file])
        findings = [
            _bandit_finding(issue, data[issue.file][0], lines.setdefault(issue.file, data[issue.file][1].splitlines()),
                            self.owasp, ordinal,
                            hint=issue.cwe in INJECTION_CWES and (found := flows.get(issue.file)) is not None
                            and issue.line not in found[0]
                            and not (issue.cwe in BUILT_STRING_CWES and issue.line in found[1]))
            for issue, ordinal in zip(run.issues, ordinals, strict=True)
        ]
        findings = _one_per_weakness(findings, [str(files[i.file].origin.get("commit", "")) for i in run.issues])
        notes = [f"{data[index][0]}: bandit cannot parse it ({reason}) under this Python; checked with "
                 f"opskit's own rules only" for index, reason in run.unparsed]
        return ScanResult(findings=findings, notes=notes)


    def _flow_lines(self, source: SourceFile) -> tuple[set[int], set[int]] | None:
        """Lines where opskit's taint analysis finds untrusted input reaching a sink, and where it is
        built into a string (``query = "..." % name``); None when it cannot read the file (bandit's
        findings then stand)."""
        data = source.text.encode("utf-8", "surrogateescape")
        if _minified(data):
            return None
        if not self.taint.wants_source(data, "python"):
            return set(), set()  # no input is read in this file: nothing can flow here from it (and no parse)
        try:
            unit = parse(source.path, source.text)
        except Unparseable:
            return None
        if unit is None:
            return None
        hits, notes, stored = _taint(self.taint, unit, None if source.origin else self.project)
        if notes:
            return None  # the analysis stopped early or skipped deep code: no verdict
        return {hit.line for hit in hits if hit.path is None}, stored


TaintResult = tuple[list[Hit], list[str], set[int]]  # hits, notes, lines where input is built into a string
_ANALYSES: dict[tuple[str, str], tuple[TaintAnalysis, Project]] = {}
_TAINT_RESULTS: OrderedDict[tuple[str, str, int], TaintResult] = OrderedDict()
_TAINT_KEPT = 256


def _analysis(root: str, state: str) -> tuple[TaintAnalysis, Project]:
    """One taint analysis and project per scan root and state of its code files, shared by both
    scanners (so each module is parsed once, and a file's flows computed once)."""
    key = (os.path.abspath(root), state)
    if key not in _ANALYSES:
        _ANALYSES.clear()
        _TAINT_RESULTS.clear()  # results of an earlier state of the project
        taint = TaintAnalysis(load_rulebook())
        _ANALYSES[key] = taint, taint.project(root)
    return _ANALYSES[key]




def _taint(taint: TaintAnalysis, unit: ParsedFile, project: Project | None) -> TaintResult:
    """The taint analysis of one file, shared by the two scanners within a worker (bandit's hints
    need it too): recent results are kept by path and content."""
    key = (unit.path, hashlib.blake2b(unit.source, digest_size=16).hexdigest(), id(project) if project else 0)
    if key in _TAINT_RESULTS:
        _TAINT_RESULTS.move_to_end(key)
        return _TAINT_RESULTS[key]
    interpreter = taint.interpret(unit, project)
    try:
        result = interpreter.run(), interpreter.notes, interpreter.tainted_lines
    except Exception as exc:  # one file the analysis cannot follow must not stop the audit
        result = [], [f"{unit.path}: taint analysis failed ({type(exc).__name__}); checked by the other rules"], set()
    _TAINT_RESULTS[key] = result
    if len(_TAINT_RESULTS) > _TAINT_KEPT:
        _TAINT_RESULTS.popitem(last=False)
    return result


def _one_per_weakness(findings: list[Finding], commits: Sequence[str]) -> list[Finding]:
    """Different bandit tests reporting one weakness (CWE) on one line (B602 and B604, B608 and
    B611) become one finding, the most severe naming the others; repeats of one test (two calls on
    the line) stay apart. ``commits`` tells the versions of one path in a history scan apart."""
    kept: list[Finding] = []
    slots: dict[tuple[str, str, int | None, tuple[int, ...]], list[int]] = {}
    ranked = sorted(range(len(findings)), key=lambda i: (-findings[i].severity.rank, -findings[i].confidence.rank,
                                                           findings[i].rule_id))
    for index in ranked:
        finding = findings[index]
        key = (commits[index], finding.location.path, finding.location.line, finding.cwe)
        same = [slot for slot in slots.get(key, []) if kept[slot].rule_id != finding.rule_id] if finding.cwe else []
        if same:
            other = kept[same[0]]
            also = [*other.properties.get("also_reported_by", []), finding.rule_id]
            kept[same[0]] = replace(other, properties={**other.properties, "also_reported_by": also})
            continue
        slots.setdefault(key, []).append(len(kept))
        kept.append(finding)
    return sorted(kept, key=lambda f: (f.location.path, f.location.line or 0, f.rule_id, f.fingerprint))


def _ordinals(keys: Iterable[Hashable]) -> list[int]:
    """How often each key came before: tells apart two identical issues on one line in fingerprints."""
    seen: Counter[Hashable] = Counter()
    result = []
    for key in keys:
        result.append(seen[key])
        seen[key] += 1
    return result


def _bandit_finding(issue: bandit_adapter.BanditIssue, path: str, lines: list[bytes], owasp: Mapping[int, str],
                    ordinal: int, hint: bool = False) -> Finding:
    """A bandit issue as a Finding; an injection finding with no tainted flow behind it is a hint
    (severity info, low confidence: not counted by ``--fail-on`` unless asked for info)."""
    category = owasp.get(issue.cwe, "A04")
    # B105-B107 quote the hardcoded password in their text; it must not appear in full anywhere.
    passwords = [m.group(1) for m in _QUOTED_PASSWORD.finditer(issue.text)]
    text = _QUOTED_PASSWORD.sub(lambda m: f"password: '{mask_secret(m.group(1))}'", issue.text)
    raw = lines[issue.line - 1].decode("utf-8", "replace").strip()[:200] if 0 < issue.line <= len(lines) else ""
    snippet = mask_dsn(scrub(raw, passwords))
    return Finding(
        rule_id=f"bandit.{issue.test_id}",
        title=f"{issue.test_id} {issue.test_name}",
        severity=Severity.INFO if hint else Severity(_LEVELS.get(issue.severity, "low")),
        confidence=Confidence.LOW if hint else Confidence(_LEVELS.get(issue.confidence, "low")),
        message=f"Hint, opskit's taint analysis finds no untrusted input reaching this line: {text}" if hint else text,
        location=Location(path=path, line=issue.line, column=issue.column, end_column=issue.end_column,
                          snippet=snippet),
        fingerprint=fingerprint("bandit", issue.test_id, path, snippet, *([ordinal] if ordinal else [])),
        cwe=(issue.cwe,) if issue.cwe else (),
        owasp=(OWASP_2021[category],),
        help_uri=issue.more_info,
        properties={"engine": "bandit", **({"hint": True} if hint else {})},
    )




class RulesScanner(Scanner):
    """opskit's own rules over Python and JavaScript/TypeScript: taint flows and insecure patterns."""

    name = "code-rules"

    def __init__(self, settings: ScanSettings) -> None:
        super().__init__(settings)
        book = load_rulebook()  # compiled once here; forked workers share it
        self.state = project_digest(settings.root)
        self.rules = book.rules
        self.patterns = PatternAnalysis(book)
        self.taint, self.project = _analysis(settings.root, self.state)  # modules are parsed on demand, per process

    def outside_inputs(self) -> str:
        return f"project {self.state}"  # a file's flows pass through other modules: every code file's state

    def wants(self, path: str) -> bool:
        return grammar_for(path) is not None

    def scan(self, files: Sequence[SourceFile]) -> ScanResult:
        taint, patterns, rules = self.taint, self.patterns, self.rules
        findings: list[Finding] = []
        notes: list[str] = []
        for source in files:
            try:
                hits = self._scan_one(source, taint, patterns, notes, None if source.origin else self.project, rules)
            except Unparseable as exc:
                notes.append(f"{exc}; skipped by code rules")
                continue
            ordinals = _ordinals((hit.path, hit.line, hit.rule) for hit in hits)
            findings.extend(_rule_finding(rules[hit.rule], hit, hit.path or source.path, ordinal)
                            for hit, ordinal in zip(hits, ordinals, strict=True))
        return ScanResult(findings=findings, notes=notes)

    @staticmethod
    def _scan_one(source: SourceFile, taint: TaintAnalysis, patterns: PatternAnalysis, notes: list[str],
                  project: Project | None, rules: Mapping[str, Rule]) -> list[Hit]:
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
        hits = patterns.run(unit) if run_patterns else []
        if run_taint:
            flows, taint_notes, _ = _taint(taint, unit, project)
            hits = [*flows, *hits]
            notes.extend(taint_notes)
        if any(hit.bandit for hit in hits) and _bandit_can_read(source.text):
            hits = [hit for hit in hits if not hit.bandit]  # bandit reports these itself
        return _one_per_line(hits, rules)


def _one_per_line(hits: list[Hit], rules: Mapping[str, Rule]) -> list[Hit]:
    """A pattern hit where a taint flow reaches the same weakness (CWE) on the same line is the same
    finding: the flow, which says more, is kept."""
    flows = {(hit.path, hit.line, rules[hit.rule].cwe) for hit in hits if hit.engine == "taint"}
    return [hit for hit in hits if hit.engine == "taint" or (hit.path, hit.line, rules[hit.rule].cwe) not in flows]


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
        severity=hit.severity or rule.severity,
        confidence=rule.confidence,
        message=f"{rule.title}: {hit.detail}. {rule.help}".strip(),
        location=Location(path=path, line=hit.line, column=hit.column, end_line=hit.end_line,
                          end_column=hit.end_column, snippet=snippet),
        fingerprint=fingerprint(rule.id, path, snippet, *([ordinal] if ordinal else [])),
        cwe=(rule.cwe,),
        owasp=(OWASP_2021[rule.owasp],),
        help_uri=CWE_URL.format(rule.cwe),
        properties={"engine": hit.engine, **({"flow": [
            {"path": p, "line": line, "column": column, "message": message} for p, line, column, message in hit.flow
        ]} if hit.flow else {})},
    )
