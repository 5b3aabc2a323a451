"""Unparseable and odd files give one note naming the file (and line when known), never an exception."""

from __future__ import annotations

import pytest

from opskit.audit.iac.scanner import ConfigScanner, DockerfileScanner, IacScanner, TerraformScanner
from opskit.audit.interface import ScanSettings, SourceFile


def scan(scanner: type[IacScanner], path: str, text: str) -> tuple[list[str], list[str]]:
    result = scanner(ScanSettings(root="/nonexistent")).scan([SourceFile(path=path, text=text)])
    return [f.rule_id for f in result.findings], list(result.notes)


@pytest.mark.parametrize(
    ("scanner", "path", "text", "note"),
    [
        (DockerfileScanner, "app/Dockerfile", "hello world\nFROM python:3.12\n",
         "app/Dockerfile:1: cannot parse as dockerfile, skipped: unknown instruction 'HELLO'"),
        (DockerfileScanner, "Dockerfile", "API_TOKEN=tok_8f3kD9qLz2mX\nFROM python:3.12\n",
         "Dockerfile:1: cannot parse as dockerfile, skipped: unknown instruction"),
        (DockerfileScanner, "Dockerfile", "RUN make\nFROM python:3.12\n",
         "Dockerfile:1: cannot parse as dockerfile, skipped: expected FROM, found RUN"),
        (DockerfileScanner, "Dockerfile", "FROM python:3.12\nRUN <<EOF\nmake\n",
         "Dockerfile: cannot parse as dockerfile, skipped: unterminated heredoc"),
        (DockerfileScanner, "Dockerfile", "FROM\n",
         "Dockerfile:1: cannot parse as dockerfile, skipped: FROM needs an image"),
        (TerraformScanner, "infra/main.tf", 'resource "aws_s3_bucket" "a" {\n  acl = "public-read"\n',
         "infra/main.tf:3: cannot parse as terraform, skipped: HCL syntax error at column 1"),
        (TerraformScanner, "x.tfvars", "\x01\x02\x03 = = =\n",
         "x.tfvars:1: cannot parse as terraform, skipped: HCL syntax error at column 1"),
        (ConfigScanner, "mysite/settings.py", "DEBUG = True\nif DEBUG:\n",
         "mysite/settings.py:2: cannot parse as config, skipped: Python syntax error: expected an indented "
         "block after 'if' statement on line 2"),
    ],
)
def test_unparseable_file_is_one_note(scanner: type[IacScanner], path: str, text: str, note: str) -> None:
    findings, notes = scan(scanner, path, text)
    assert (findings, notes) == ([], [note])


def test_one_bad_file_does_not_hide_the_next() -> None:
    result = TerraformScanner(ScanSettings()).scan([
        SourceFile("broken.tf", 'resource "aws_s3_bucket" {'),
        SourceFile("rds.tf", 'resource "aws_db_instance" "a" {\n  publicly_accessible = true\n'
                             '  storage_encrypted = true\n}\n'),
    ])
    assert [(f.location.path, f.location.line) for f in result.findings if f.rule_id == "iac.tf-db-public"] == [
        ("rds.tf", 2)]
    assert len(result.notes) == 1 and result.notes[0].startswith("broken.tf:")


@pytest.mark.parametrize(
    ("scanner", "path", "text"),
    [
        (DockerfileScanner, "Dockerfile", ""),
        (DockerfileScanner, "Dockerfile", "# only a comment\n\n"),
        (TerraformScanner, "main.tf", ""),
        (TerraformScanner, "outputs.tf", 'output "url" {\n  value = module.web.url\n}\n'),
        (TerraformScanner, "main.tf", 'resource "aws_s3_bucket" {\n}\n'),  # missing label: terraform's problem
        (TerraformScanner, "main.tf", 'resource "aws_s3_bucket_public_access_block" "a" {\n  bucket = "b"\n'
                                      '  block_public_acls = var.block\n  block_public_policy = var.block\n'
                                      '  ignore_public_acls = var.block\n  restrict_public_buckets = var.block\n}\n'),
        (ConfigScanner, ".env", "\x01\x02 no assignments here\n=value-without-name\n"),
    ],
)
def test_empty_or_unknowable_input_is_quiet(scanner: type[IacScanner], path: str, text: str) -> None:
    assert scan(scanner, path, text) == ([], [])


def test_security_group_in_attribute_syntax() -> None:
    text = ('resource "aws_security_group" "legacy" {\n  name = "legacy"\n'
            '  ingress = [{ from_port = 3389, to_port = 3389, protocol = "tcp", cidr_blocks = ["0.0.0.0/0"] }]\n}\n')
    result = TerraformScanner(ScanSettings()).scan([SourceFile("sg.tf", text)])
    assert [(f.location.line, f.rule_id) for f in result.findings] == [(3, "iac.tf-sg-open-admin-port")]
    assert "3389 (RDP)" in result.findings[0].message


def test_windows_line_endings_keep_lines() -> None:
    dockerfile = ("FROM python:3.12\r\nENV API_TOKEN=tok_8f3kD9qLz2mX\r\n"
                  "RUN curl -s https://get.example.sh \\\r\n  | sh\r\n")
    result = DockerfileScanner(ScanSettings()).scan([SourceFile("Dockerfile", dockerfile)])
    assert {(1, "iac.docker-root-user"), (2, "iac.docker-secret-in-env"), (3, "iac.docker-curl-pipe-shell")} <= {
        (f.location.line, f.rule_id) for f in result.findings}
    terraform = ('resource "aws_db_instance" "a" {\r\n  storage_encrypted   = true\r\n'
                 '  publicly_accessible = true\r\n}\r\n')
    result = TerraformScanner(ScanSettings()).scan([SourceFile("rds.tf", terraform)])
    assert [f.location.line for f in result.findings if f.rule_id == "iac.tf-db-public"] == [3]
