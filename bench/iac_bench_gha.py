"""The GitHub Actions part of ``bench/iac_bench.py``: opskit and checkov (``--framework github_actions``)
scored against the ``# planted: RULE`` labels of ``bench/corpus/iac/github-actions``, in one run.

A checkov finding counts for a label when its check is in the label rule's ``checkov`` list (in
``opskit/audit/iac/rules/github_actions.yaml``), in the same file, and its line range holds the label's
line. Labels of rules checkov has no check for are counted apart ("in checkov's scope" or not). Every
checkov finding that matches no label is listed for review (its false alarms by our labels), as is
every finding either tool reports on the hardened projects. checkov reads only ``.github/workflows``,
not composite ``action.yml`` files.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from iac_bench_k8s import HARDENED, planted_coverage, planted_labels

from opskit.audit.iac.catalog import load_rules


def github_actions_coverage(checkov: list[dict[str, Any]], opskit: list[dict[str, Any]], base: Path
                            ) -> dict[str, Any]:
    paths = sorted(p for p in base.rglob("*") if p.suffix in (".yml", ".yaml"))
    ours = planted_coverage(opskit, base, paths)
    by_check: dict[str, str] = {check: rule.id.removeprefix("iac.")
                                for rule in load_rules("github_actions").values() for check in rule.checkov}
    labels = [(str(p.relative_to(base)), line, rule) for p in paths for line, rule in planted_labels(p)]
    peer = [(c["file_path"].lstrip("/"), c["file_line_range"], by_check.get(c["check_id"]), c["check_id"])
            for c in checkov]

    def peer_finds(path: str, line: int, rule: str) -> bool:
        return any(p == path and r == rule and span[0] <= line <= span[1] for p, span, r, _ in peer)

    in_scope = [label for label in labels if label[2] in by_check.values()]
    unmatched = sorted(f"{p}:{span[0]} {check}" for p, span, rule, check in peer
                       if not any(lp == p and lr == rule and span[0] <= ll <= span[1] for lp, ll, lr in labels))
    return {"opskit": ours, "labels": len(labels), "labels_in_checkov_scope": len(in_scope),
            "checkov_found": sum(peer_finds(*label) for label in labels),
            "opskit_found_in_checkov_scope": len(in_scope) - sum(
                f"{p}:{n} {r}" in ours["missed"] for p, n, r in in_scope),
            "checkov_findings": len(peer), "checkov_unlabelled": unmatched,
            "checkov_on_hardened": sorted(u for u in unmatched if u.startswith(HARDENED))}


def print_github_actions(gha: Mapping[str, Any]) -> None:
    ours = gha["opskit"]
    print(f"GitHub Actions: {gha['labels']} planted labels; opskit {ours['found']} found at their line, checkov "
          f"{gha['checkov_found']}; in checkov's scope ({gha['labels_in_checkov_scope']}): opskit "
          f"{gha['opskit_found_in_checkov_scope']}, checkov {gha['checkov_found']}")
    print(f"  unlabelled findings: opskit {len(ours['unlabelled_findings'])}, checkov "
          f"{len(gha['checkov_unlabelled'])} of {gha['checkov_findings']}; on the hardened projects: opskit "
          f"{len(ours['false_positives_on_hardened'])}, checkov {len(gha['checkov_on_hardened'])}")
    for line in ours["missed"] + ours["unlabelled_findings"]:
        print(f"  review (opskit): {line}")
    for line in gha["checkov_unlabelled"]:
        print(f"  review (checkov): {line}")
