"""Fingerprints follow the rule, the path and the offending text, not the line the issue sits on."""

from __future__ import annotations

from opskit.audit.iac.scanner import DockerfileScanner, TerraformScanner
from opskit.audit.interface import ScanSettings, SourceFile
from opskit.core.findings import fingerprint

DOCKERFILE = "FROM python:latest\nWORKDIR /app\nCOPY . .\nUSER app\n"
TERRAFORM = ('resource "aws_db_instance" "main" {\n  engine = "postgres"\n  publicly_accessible = true\n'
             '  storage_encrypted = true\n}\n')


def fingerprints(scanner: type[DockerfileScanner] | type[TerraformScanner], path: str, text: str) -> dict[str, str]:
    result = scanner(ScanSettings(root="/nonexistent")).scan([SourceFile(path, text)])
    return {f.rule_id: f.fingerprint for f in result.findings}


def test_moving_lines_keeps_fingerprints() -> None:
    before = fingerprints(DockerfileScanner, "Dockerfile", DOCKERFILE)
    after = fingerprints(DockerfileScanner, "Dockerfile", "# build the API image\n\n" + DOCKERFILE)
    assert before == after
    assert set(before) == {"iac.docker-unpinned-base-image", "iac.docker-copy-context-without-dockerignore"}


def test_whitespace_changes_keep_fingerprints() -> None:
    spaced = TERRAFORM.replace("publicly_accessible = true", "publicly_accessible   =   true")
    assert fingerprints(TerraformScanner, "rds.tf", TERRAFORM) == fingerprints(TerraformScanner, "rds.tf", spaced)


def test_path_and_content_change_fingerprints() -> None:
    base = fingerprints(TerraformScanner, "rds.tf", TERRAFORM)
    assert fingerprints(TerraformScanner, "prod/rds.tf", TERRAFORM)["iac.tf-db-public"] != base["iac.tf-db-public"]
    renamed = fingerprints(TerraformScanner, "rds.tf", TERRAFORM.replace('"main"', '"replica"'))
    assert renamed["iac.tf-db-public"] != base["iac.tf-db-public"]


def test_fingerprints_of_former_rules_are_those_older_versions_wrote() -> None:
    """Baselines written before the module evaluator and the ``iac.`` prefix keep matching."""
    text = ('resource "aws_security_group" "orders" {\n  ingress {\n    from_port = 22\n    to_port = 22\n'
            '    protocol = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n'
            'resource "aws_s3_bucket" "reports" {\n  bucket = "r"\n}\n')
    found = fingerprints(TerraformScanner, "terraform/main.tf", text)
    assert found["iac.tf-sg-open-admin-port"] == "5dcb2f24aaaec5b5b108cc9ee3688c38"  # from docs/audit-iac.md
    assert found["iac.tf-s3-unencrypted"] == fingerprint("tf-s3-unencrypted", "terraform/main.tf",
                                                         "aws_s3_bucket.reports")
