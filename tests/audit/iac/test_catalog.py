"""The rule files: every rule is complete, ids are unique across families, and each has a check."""

from __future__ import annotations

from opskit.audit.iac.catalog import load_rules
from opskit.core.findings import OWASP_2021

KINDS = ("dockerfile", "terraform", "config")


def test_rule_ids_are_unique_across_families() -> None:
    ids = [rule_id for kind in KINDS for rule_id in load_rules(kind)]
    assert len(ids) == len(set(ids)) and all(rule_id.startswith("iac.") for rule_id in ids)


def test_every_rule_has_metadata_and_both_kinds_of_example() -> None:
    for kind in KINDS:
        for rule in load_rules(kind).values():
            assert rule.cwe and rule.owasp and set(rule.owasp) <= set(OWASP_2021.values()), rule.id
            assert rule.fix and rule.title[0].isupper(), rule.id
            assert {ex.vulnerable for ex in rule.examples} == {True, False}, rule.id
            assert all(ex.line for ex in rule.examples if ex.vulnerable), rule.id
