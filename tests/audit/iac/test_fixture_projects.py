"""A realistic vulnerable project triggers every IaC rule at the right line; its fixed twin triggers none."""

from __future__ import annotations

import json

from opskit.audit.iac.catalog import load_rules
from tests.audit.iac.helpers import FIXTURES, scan_tree

EXPECTED_VULNERABLE = {
    (".env.production", 2, "iac.config-committed-env"),
    ("Dockerfile", 3, "iac.docker-unpinned-base-image"),
    ("Dockerfile", 9, "iac.docker-secret-in-env"),
    ("Dockerfile", 11, "iac.docker-secret-in-env"),
    ("Dockerfile", 12, "iac.docker-unpinned-package"),
    ("Dockerfile", 13, "iac.docker-curl-pipe-shell"),
    ("Dockerfile", 14, "iac.docker-pipe-without-pipefail"),
    ("Dockerfile", 17, "iac.docker-copy-context-without-dockerignore"),
    ("Dockerfile", 18, "iac.docker-copy-secret-file"),
    ("Dockerfile", 19, "iac.docker-add-remote-url"),
    ("Dockerfile", 23, "iac.docker-root-user"),
    ("config/settings/production.py", 3, "iac.django-debug-true"),
    ("config/settings/production.py", 5, "iac.django-allowed-hosts-wildcard"),
    ("config/settings/production.py", 8, "iac.django-hardcoded-secret-key"),
    ("infra/main.tf", 3, "iac.tf-hardcoded-credentials"),
    ("infra/main.tf", 16, "iac.tf-sg-open-admin-port"),
    ("infra/main.tf", 20, "iac.tf-db-unencrypted"),
    ("infra/main.tf", 20, "iac.tf-db-no-deletion-protection"),
    ("infra/main.tf", 20, "iac.tf-db-no-iam-auth"),
    ("infra/main.tf", 20, "iac.tf-no-audit-logging"),
    ("infra/main.tf", 29, "iac.tf-s3-no-access-logging"),
    ("infra/main.tf", 29, "iac.tf-s3-no-versioning"),
    ("infra/main.tf", 26, "iac.tf-db-public"),
    ("infra/main.tf", 29, "iac.tf-s3-unencrypted"),
    ("infra/main.tf", 35, "iac.tf-s3-public-acl"),
    ("infra/main.tf", 42, "iac.tf-s3-public-access-block-disabled"),
    ("infra/main.tf", 49, "iac.tf-gcs-public"),
    ("infra/main.tf", 55, "iac.tf-iam-wildcard-policy"),
    ("infra/main.tf", 66, "iac.tf-iam-wildcard-policy"),
    ("infra/prod.tfvars", 2, "iac.tf-hardcoded-credentials"),
}
SECRETS = ["pypi-AgEIcHlwaS5vcmcCJDk3ZTZiZjQ1LTk0", "9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c",
           "ghp_R8tY2uI4oP6aS8dF0gH2jK4lZ6xC8vB0nM2q", "mJ4#vQ9!zT2@wL7p", "Zq8wX3vR7tY1uI5o",
           "k3x9m2pq7vz8wr5ty1ui0olpasd4f6gh"]


def test_vulnerable_project_findings_are_exact() -> None:
    outcome = scan_tree(FIXTURES / "vulnerable")
    assert outcome.notes == []
    found = {(f.location.path, f.location.line, f.rule_id) for f in outcome.findings}
    assert found == EXPECTED_VULNERABLE


def test_vulnerable_project_covers_every_original_rule() -> None:
    """Rules from before the module evaluator; later ones are covered by their examples and bench/corpus."""
    rules = {rule.id for kind in ("dockerfile", "terraform", "config") for rule in load_rules(kind).values()
             if rule.former_id}
    assert rules <= {rule for _, _, rule in EXPECTED_VULNERABLE}


def test_safe_twin_has_no_findings() -> None:
    outcome = scan_tree(FIXTURES / "safe")
    assert outcome.notes == []
    assert [(f.location.path, f.location.line, f.rule_id) for f in outcome.findings] == []


def test_findings_carry_cwe_owasp_and_fix() -> None:
    for finding in scan_tree(FIXTURES / "vulnerable").findings:
        assert finding.cwe and all(tag.startswith("A") and ":2021-" in tag for tag in finding.owasp)
        assert " Fix: " in finding.message


def test_secrets_are_masked_unless_asked() -> None:
    masked = json.dumps([f.to_dict() for f in scan_tree(FIXTURES / "vulnerable").findings])
    assert not [s for s in SECRETS if s in masked]
    shown = json.dumps([f.to_dict() for f in scan_tree(FIXTURES / "vulnerable", show_secrets=True).findings])
    assert "ghp_R8tY2uI4oP6aS8dF0gH2jK4lZ6xC8vB0nM2q" in shown
