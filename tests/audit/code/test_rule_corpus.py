"""Every code rule against its own corpus: vulnerable fixtures are found on exactly the marked
lines, safe twins (sanitised, constant, dead branch, allow-listed) produce nothing for the rule.

A line marked ``# vuln`` must be reported by the rule; ``# vuln (bandit B324)`` by that bandit test
instead (the rule leaves to bandit what bandit reports, wherever bandit can read the file)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from opskit.audit.code.rulebook import load_rulebook
from opskit.audit.code.scanners import BanditScanner, RulesScanner
from opskit.audit.code.syntax import FAMILY, grammar_for
from opskit.audit.interface import ScanSettings, SourceFile

FIXTURES = Path(__file__).parent / "fixtures"
MARK = re.compile(r"(?:#|//) vuln\b(?: \(bandit (B\d+)\))?")


def _languages(rule_id: str) -> set[str]:
    book = load_rulebook()
    languages = {s.language for s in book.sinks if s.rule == rule_id}
    languages |= {m.language for p in book.patterns if p.rule == rule_id for m in p.matchers}
    return languages


def _fixtures(rule_id: str, kind: str, language: str) -> list[Path]:
    folder = FIXTURES / rule_id.removeprefix("code.")
    return sorted(p for p in folder.glob(f"{kind}*")
                  if FAMILY.get(grammar_for(p.name) or "") == language)


def _lines(path: Path, rule_id: str) -> tuple[set[int], list[str]]:
    result = RulesScanner(ScanSettings()).scan([_source(path)])
    return {f.location.line for f in result.findings if f.rule_id == rule_id}, list(result.notes)


def _source(path: Path) -> SourceFile:
    return SourceFile(path=str(path.relative_to(FIXTURES)), text=path.read_text())


CASES = [(rule, language) for rule in sorted(load_rulebook().rules) for language in sorted(_languages(rule))]


def test_every_rule_has_cases_for_both_languages() -> None:
    assert len(CASES) == 2 * len(load_rulebook().rules)


@pytest.mark.parametrize(("rule_id", "language"), CASES)
def test_vulnerable_fixtures_are_found_on_the_marked_lines(rule_id: str, language: str) -> None:
    files = _fixtures(rule_id, "vulnerable", language)
    assert files, f"no vulnerable {language} fixture for {rule_id}"
    for path in files:
        marks = {n: m for n, line in enumerate(path.read_text().splitlines(), 1) if (m := MARK.search(line))}
        assert marks, f"{path} marks no line"
        own = {n for n, m in marks.items() if not m.group(1)}
        found, notes = _lines(path, rule_id)
        assert found == own, f"{path.name}: found {sorted(found)}, marked {sorted(own)}"
        assert notes == []
        by_bandit = {(n, m.group(1)) for n, m in marks.items() if m.group(1)}
        if by_bandit:
            bandit = BanditScanner(ScanSettings()).scan([_source(path)]).findings
            assert by_bandit <= {(f.location.line, f.rule_id.removeprefix("bandit.")) for f in bandit}


@pytest.mark.parametrize(("rule_id", "language"), CASES)
def test_safe_twins_are_not_reported(rule_id: str, language: str) -> None:
    files = _fixtures(rule_id, "safe", language)
    assert files, f"no safe {language} fixture for {rule_id}"
    for path in files:
        found, notes = _lines(path, rule_id)
        assert found == set(), f"{path.name}: reported lines {sorted(found)}"
        assert notes == []


def test_every_rule_carries_cwe_and_owasp() -> None:
    for rule in load_rulebook().rules.values():
        assert rule.cwe > 0 and rule.owasp.startswith("A"), rule.id
