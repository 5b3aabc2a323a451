"""Loads the YAML rule files into ``Rule`` objects, checking that every rule carries its metadata."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from typing import Any

import yaml

from opskit.audit.iac.interface import Example, Rule
from opskit.core.findings import OWASP_2021, Confidence, Severity

REQUIRED = ("id", "title", "severity", "cwe", "owasp", "fix", "examples")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: the rule files are big
PREFIX = "iac."  # the family prefix, as code rules have theirs; YAML files hold the bare ids


class RuleFileError(Exception):
    """A packaged rule file is malformed: a bug in opskit, caught by the rule tests."""


@functools.cache
def load_rules(kind: str) -> Mapping[str, Rule]:
    """The rules of one kind (``dockerfile``, ``terraform``, ``config``) by id, in file order."""
    source = resources.files("opskit.audit.iac.rules").joinpath(f"{kind}.yaml")
    data = yaml.load(source.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 (a safe loader)
    rules = [_rule(kind, entry) for entry in data["rules"]]
    by_id = {rule.id: rule for rule in rules}
    if len(by_id) != len(rules):
        raise RuleFileError(f"{kind}.yaml: duplicate rule ids")
    return by_id


def _rule(kind: str, entry: Mapping[str, Any]) -> Rule:
    missing = [key for key in REQUIRED if key not in entry]
    if missing:
        raise RuleFileError(f"{kind}.yaml: rule {entry.get('id', '?')} lacks {', '.join(missing)}")
    unknown = [code for code in entry["owasp"] if code not in OWASP_2021]
    if unknown:
        raise RuleFileError(f"{kind}.yaml: rule {entry['id']}: unknown OWASP category {unknown}")
    examples = tuple(
        Example(path=ex["path"], text=ex["text"], vulnerable=verdict == "vulnerable", line=ex.get("line"),
                siblings=ex.get("siblings", {}))
        for verdict in ("vulnerable", "safe")
        for ex in entry["examples"].get(verdict, [])
    )
    if not any(ex.vulnerable for ex in examples) or all(ex.vulnerable for ex in examples):
        raise RuleFileError(f"{kind}.yaml: rule {entry['id']} needs vulnerable and safe examples")
    return Rule(
        id=f"{PREFIX}{entry['id']}",
        former_id=entry.get("former_id"),
        checkov=tuple(entry.get("checkov", ())),
        title=entry["title"],
        severity=Severity.parse(entry["severity"]),
        confidence=Confidence(entry.get("confidence", "high")),
        cwe=tuple(int(n) for n in entry["cwe"]),
        owasp=tuple(OWASP_2021[code] for code in entry["owasp"]),
        fix=entry["fix"].strip(),
        params=entry.get("params", {}),
        examples=examples,
    )
