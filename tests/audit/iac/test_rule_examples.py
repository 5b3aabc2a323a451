"""Every rule's own examples from its YAML file: vulnerable ones are found at their line, safe ones are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from opskit.audit.iac import SCANNERS as PACKAGE_SCANNERS
from opskit.audit.iac.catalog import load_rules
from opskit.audit.iac.interface import Example, Rule
from opskit.audit.iac.scanner import IacScanner
from opskit.audit.interface import ScanSettings, SourceFile
from opskit.audit.trees import WorkTree

SCANNERS: list[type[IacScanner]] = list(PACKAGE_SCANNERS)  # every family's rules, new ones included


def _cases() -> list[tuple[type[IacScanner], Rule, int, Example]]:
    return [
        (scanner, rule, index, example)
        for scanner in SCANNERS
        for rule in load_rules(scanner.checker_class.kind).values()
        for index, example in enumerate(rule.examples)
    ]


def _case_id(case: tuple[type[IacScanner], Rule, int, Example]) -> str:
    _, rule, index, example = case
    return f"{rule.id}-{'vulnerable' if example.vulnerable else 'safe'}-{index}"


@pytest.mark.parametrize("case", _cases(), ids=_case_id)
def test_rule_example(case: tuple[type[IacScanner], Rule, int, Example], tmp_path: Path) -> None:
    scanner_class, rule, _, example = case
    target = tmp_path / example.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(example.text)
    for name, text in example.siblings.items():
        (target.parent / name).write_text(text)
    scanner = scanner_class(ScanSettings(root=str(tmp_path)))
    assert scanner.wants(example.path), f"{scanner.name} does not read {example.path}"
    result = scanner.scan([SourceFile(path=example.path, text=example.text, tree=WorkTree(str(tmp_path)))])
    assert not result.notes, result.notes
    lines = [f.location.line for f in result.findings if f.rule_id == rule.id]
    if example.vulnerable:
        assert example.line in lines, f"{rule.id} expected at line {example.line}, found at {lines}"
    else:
        assert lines == [], f"{rule.id} flagged a safe example at lines {lines}"
