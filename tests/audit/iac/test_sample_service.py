"""``opskit audit --only iac examples/sample-service`` reports every planted IaC and config issue."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from opskit.cli import cli

SAMPLE = Path(__file__).resolve().parents[3] / "examples" / "sample-service"

EXPECTED = {
    (".env", 3, "iac.config-committed-env", "CWE-538"),
    ("Dockerfile", 2, "iac.docker-root-user", "CWE-250"),
    ("Dockerfile", 2, "iac.docker-unpinned-base-image", "CWE-1357"),
    ("Dockerfile", 5, "iac.docker-add-remote-url", "CWE-494"),
    ("Dockerfile", 8, "iac.docker-copy-context-without-dockerignore", "CWE-538"),
    ("settings.py", 7, "iac.django-hardcoded-secret-key", "CWE-798"),
    ("settings.py", 9, "iac.django-debug-true", "CWE-489"),
    ("settings.py", 11, "iac.django-allowed-hosts-wildcard", "CWE-20"),
    ("terraform/main.tf", 14, "iac.tf-hardcoded-credentials", "CWE-798"),
    ("terraform/main.tf", 15, "iac.tf-hardcoded-credentials", "CWE-798"),
    ("terraform/main.tf", 27, "iac.tf-sg-open-admin-port", "CWE-284"),
    ("terraform/main.tf", 35, "iac.tf-sg-open-admin-port", "CWE-284"),
    ("terraform/main.tf", 50, "iac.tf-sg-open-egress", "CWE-284"),
    ("terraform/main.tf", 54, "iac.tf-s3-unencrypted", "CWE-311"),
    ("terraform/main.tf", 54, "iac.tf-s3-no-access-logging", "CWE-778"),
    ("terraform/main.tf", 54, "iac.tf-s3-no-public-access-block", "CWE-732"),
    ("terraform/main.tf", 54, "iac.tf-s3-no-versioning", "CWE-693"),
    ("terraform/main.tf", 56, "iac.tf-s3-public-acl", "CWE-732"),
    ("terraform/main.tf", 61, "iac.tf-iam-wildcard-policy", "CWE-269"),
}
PLANTED_SECRETS = ["dTGjjGu5PDHHIUrQdMftdK7Z9Z2AOyxpz+Yyj1v3", "AKIALACI57K43PEADJ4S", "nUcOwcOBExM3tnY4Wf",
                   "django-insecure--o1c2c*t8i6!rz1)7ol7ail2_l=vwv7@&msp9@c3-5uv4==iv5"]


def audit(*args: str, cache_dir: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["audit", "--only", "iac", "--cache-dir", str(cache_dir), *args, str(SAMPLE)])
    return result.exit_code, result.output


def test_sample_service_iac_findings(tmp_path: Path) -> None:
    code, output = audit("--format", "json", cache_dir=tmp_path)
    assert code == 0, output
    report = json.loads(output)
    found = {(f["location"]["path"], f["location"]["line"], f["rule_id"], f["cwe"][0]) for f in report["findings"]}
    assert found == EXPECTED
    assert report["notes"] == []
    assert all(f["owasp"] for f in report["findings"])
    assert not [secret for secret in PLANTED_SECRETS if secret in output]


def test_sample_service_fails_the_gate_and_sarif_has_tags(tmp_path: Path) -> None:
    code, output = audit("--format", "sarif", "--fail-on", "high", cache_dir=tmp_path)
    assert code == 1
    sarif = json.loads(output)
    rules = {rule["id"]: rule for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert "CWE-798" in json.dumps(rules["iac.tf-hardcoded-credentials"])
    assert "A01:2021" in json.dumps(rules["iac.tf-iam-wildcard-policy"])
