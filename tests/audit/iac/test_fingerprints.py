"""Fingerprints follow the rule, the path and the offending text, not the line the issue sits on."""

from __future__ import annotations

from opskit.audit.iac.scanner import DockerfileScanner, TerraformScanner
from opskit.audit.interface import ScanSettings, SourceFile

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
