"""Terraform is checked module by module: values from variables, tfvars, locals, module inputs,
for_each and dynamic blocks are resolved, each finding names where its value was set, and
resources in other files of the module (encryption, public access blocks) count."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from click.testing import CliRunner

from opskit.audit.iac.scanner import TerraformScanner
from opskit.audit.interface import ScanSettings, SourceFile
from opskit.audit.trees import MemoryTree
from opskit.cli import cli
from opskit.core.findings import fingerprint
from tests.audit.iac.helpers import scan_tree

# The benchmark's module project: a root module calling two local modules.
SHOP_MODULES = Path(__file__).resolve().parents[3] / "bench" / "corpus" / "iac" / "terraform" / "shop-modules"
# Every weakness planted in it, with the origin its message must name where the value does not sit
# on the reported line.
EXPECTED = {
    ("database.tf", 1, "iac.tf-db-no-iam-auth"): "",
    ("database.tf", 1, "iac.tf-no-audit-logging"): "",
    ("database.tf", 8, "iac.tf-hardcoded-credentials"): 'variable "db_password" default (variables.tf:30)',
    ("database.tf", 9, "iac.tf-db-public"): "terraform.tfvars:2",  # "true" as a string, from tfvars
    ("database.tf", 10, "iac.tf-db-unencrypted"): 'variable "encrypt_db" default (variables.tf:19)',
    ("database.tf", 11, "iac.tf-db-no-backups"): "terraform.tfvars:1",  # local.is_prod ? 0 : 7 with env = prod
    ("database.tf", 12, "iac.tf-db-no-deletion-protection"): "",
    ("iam.tf", 3, "iac.tf-iam-passrole-wildcard"): "",  # jsonencode of a local's statements
    ("iam.tf", 3, "iac.tf-iam-service-wildcard"): "",
    ("modules/bucket/main.tf", 15, "iac.tf-s3-no-access-logging"): "",
    ("modules/web/main.tf", 17, "iac.tf-hardcoded-credentials"): "",
    ("network.tf", 1, "iac.tf-default-sg-in-use"): "",
    ("network.tf", 1, "iac.tf-no-audit-logging"): "",
    ("network.tf", 9, "iac.tf-subnet-public-ip"): "",
    ("network.tf", 24, "iac.tf-sg-open-admin-port"): 'variable "admin_cidrs" default (variables.tf:24)',  # dynamic
    ("network.tf", 33, "iac.tf-sg-open-egress"): "",
    ("storage.tf", 1, "iac.tf-s3-no-versioning"): 'variable "buckets" default (variables.tf:38)',  # for_each
    ("storage.tf", 1, "iac.tf-s3-public-access-block-disabled"): 'variable "buckets" default (variables.tf:38)',
    ("storage.tf", 1, "iac.tf-s3-public-acl"): 'variable "buckets" default (variables.tf:38)',
    ("storage.tf", 10, "iac.tf-ec2-imdsv1"): "terraform.tfvars:1",  # module input from a conditional on a local
}


def test_every_planted_weakness_is_reported_with_its_origin() -> None:
    outcome = scan_tree(SHOP_MODULES)
    assert outcome.notes == []
    found = {(f.location.path, f.location.line, f.rule_id): f for f in outcome.findings}
    assert set(found) == set(EXPECTED)
    for key, origin in EXPECTED.items():
        assert origin in found[key].message, (key, found[key].message)
        assert origin in found[key].properties.get("origins", [""]), key
    ports = sorted(f.message.split("exposing ")[1].split(" to")[0] for f in outcome.findings
                   if f.rule_id == "iac.tf-sg-open-admin-port")
    assert ports == ["22 (SSH)", "5432 (PostgreSQL)"]  # port 443 of the dynamic block is not an admin port


def test_findings_in_a_called_module_name_the_instance_and_the_file() -> None:
    outcome = scan_tree(SHOP_MODULES)
    acl = next(f for f in outcome.findings if f.rule_id == "iac.tf-s3-public-acl")
    assert acl.properties["resource"] == 'module.buckets["assets"].aws_s3_bucket.this'
    assert "modules/bucket/main.tf:21" in acl.message and "public-read" in acl.message


def bucket_scan(files: dict[str, str], path: str = "s3.tf") -> list[str]:
    tree = MemoryTree(files)
    result = TerraformScanner(ScanSettings()).scan([SourceFile(path, files[path], tree=tree)])
    return sorted(f.rule_id for f in result.findings)


BUCKET = 'resource "aws_s3_bucket" "data" {\n  bucket = "acme-data"\n}\n'
ENCRYPTION = ('resource "aws_s3_bucket_server_side_encryption_configuration" "data" {\n'
              '  bucket = aws_s3_bucket.data.id\n  rule {\n    apply_server_side_encryption_by_default {\n'
              '      sse_algorithm = "aws:kms"\n    }\n  }\n}\n')


def test_encryption_in_another_file_of_the_module_counts() -> None:
    assert "iac.tf-s3-unencrypted" in bucket_scan({"s3.tf": BUCKET})
    assert "iac.tf-s3-unencrypted" not in bucket_scan({"s3.tf": BUCKET, "encryption.tf": ENCRYPTION})
    # another directory is another module: its resources do not apply
    assert "iac.tf-s3-unencrypted" in bucket_scan({"s3.tf": BUCKET, "other/encryption.tf": ENCRYPTION})


def test_each_file_reports_only_its_own_resources() -> None:
    files = {"s3.tf": BUCKET, "rds.tf": 'resource "aws_db_instance" "a" {\n  publicly_accessible = true\n}\n'}
    assert "iac.tf-db-public" not in bucket_scan(files, "s3.tf")
    assert "iac.tf-db-public" in bucket_scan(files, "rds.tf")


def test_count_zero_and_unknown_values_report_nothing() -> None:
    files = {"main.tf": 'variable "on" {\n  default = false\n}\n'
                        'resource "aws_db_instance" "a" {\n  count = var.on ? 1 : 0\n  publicly_accessible = true\n}\n'
                        'resource "aws_db_instance" "b" {\n  publicly_accessible = var.unset\n'
                        '  storage_encrypted = data.external.flags.result.encrypted\n}\n'}
    rules = bucket_scan(files, "main.tf")
    assert "iac.tf-db-public" not in rules and "iac.tf-db-unencrypted" not in rules


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   check=True, capture_output=True)


def test_staged_module_sees_the_committed_files_beside_it(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "infra").mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / "infra" / "encryption.tf").write_text(ENCRYPTION)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "encryption first")
    (repo / "infra" / "s3.tf").write_text(BUCKET + 'resource "aws_s3_bucket_acl" "data" {\n'
                                          '  bucket = aws_s3_bucket.data.id\n  acl = "public-read"\n}\n')
    git(repo, "add", "infra/s3.tf")
    (repo / "infra" / "encryption.tf").unlink()  # deleted in the work tree, still in the index
    result = CliRunner().invoke(cli, ["audit", "--only", "iac", "--format", "json", "--no-cache", "--staged",
                                      str(repo)])
    report = json.loads(result.output)
    rules = {f["rule_id"] for f in report["findings"]}
    assert "iac.tf-s3-public-acl" in rules and "iac.tf-s3-unencrypted" not in rules, report


def test_former_rule_ids_keep_baselines_and_ignores_working(tmp_path: Path) -> None:
    (tmp_path / "rds.tf").write_text('resource "aws_db_instance" "a" {\n  publicly_accessible = true\n'
                                     '  storage_encrypted = true # opskit: ignore[tf-db-unencrypted]\n}\n')
    outcome = scan_tree(tmp_path)
    public = next(f for f in outcome.findings if f.rule_id == "iac.tf-db-public")
    # the fingerprint an older opskit wrote into baselines, under the rule's old id
    assert public.fingerprint == fingerprint("tf-db-public", "rds.tf", "aws_db_instance.a publicly_accessible")
    (tmp_path / "rds.tf").write_text('resource "aws_db_instance" "a" {\n'
                                     '  publicly_accessible = true # opskit: ignore[tf-db-public]\n}\n')
    assert "iac.tf-db-public" not in {f.rule_id for f in scan_tree(tmp_path).findings}
