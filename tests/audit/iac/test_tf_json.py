"""Terraform's JSON syntax goes through the same module evaluator as HCL (the same project written
both ways gives the same findings, on the JSON file's own lines), override files are merged over the
blocks they name, malformed JSON is one note with its line, and reading JSON is linear in its size."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from opskit.audit.iac import json_located, tf_eval, tf_module
from opskit.audit.iac.interface import Unparseable
from opskit.audit.iac.json_located import MAX_NESTING, JsonNode, parse_json
from opskit.audit.iac.scanner import TerraformScanner
from opskit.audit.iac.tf_values import is_known
from opskit.audit.interface import ScanSettings, SourceFile
from opskit.audit.trees import MemoryTree
from tests.audit.iac.helpers import FIXTURES, scan_tree

PARITY = FIXTURES / "parity"


def rule_resources(root: Path) -> Counter[tuple[str, str]]:
    outcome = scan_tree(root)
    assert outcome.notes == []
    return Counter((f.rule_id, str(f.properties.get("resource"))) for f in outcome.findings)


def test_the_same_project_in_hcl_and_json_gives_the_same_findings() -> None:
    hcl, json_syntax = rule_resources(PARITY / "hcl"), rule_resources(PARITY / "json")
    assert hcl == json_syntax
    assert {rule for rule, _ in hcl} >= {"iac.tf-sg-open-admin-port", "iac.tf-db-public", "iac.tf-ec2-imdsv1",
                                         "iac.tf-hardcoded-credentials", "iac.tf-s3-public-acl",
                                         "iac.tf-ebs-unencrypted", "iac.tf-s3-public-access-block-disabled"}


def test_json_findings_point_at_the_json_lines_and_name_their_origins() -> None:
    found = {(f.rule_id, f.location.line): f for f in scan_tree(PARITY / "json").findings
             if f.location.path == "main.tf.json"}
    assert set(found) >= {("iac.tf-sg-open-admin-port", 27), ("iac.tf-hardcoded-credentials", 38),
                          ("iac.tf-db-public", 39), ("iac.tf-s3-public-acl", 47), ("iac.tf-ec2-imdsv1", 70)}
    assert "terraform.tfvars.json:1" in found["iac.tf-db-public", 39].message
    assert "Tr0ub4dor-and-3-more" not in found["iac.tf-hardcoded-credentials", 38].message
    assert "defined in modules/web/main.tf.json:13. Value from module \"web\" input http_tokens (main.tf.json:72)" \
        in found["iac.tf-ec2-imdsv1", 70].message


def scan(files: dict[str, str], path: str) -> list[tuple[str, int, str]]:
    result = TerraformScanner(ScanSettings()).scan([SourceFile(path, files[path], tree=MemoryTree(files))])
    return sorted((f.rule_id, f.location.line, f.message) for f in result.findings) + \
        [("note", 0, note) for note in result.notes]


def test_a_module_mixing_hcl_and_json_files_is_one_module() -> None:
    files = {
        "variables.tf": 'variable "encrypt" {\n  default = false\n}\nlocals {\n  cidr = "0.0.0.0/0"\n}\n',
        "db.tf.json": json.dumps({"resource": {"aws_db_instance": {"main": {
            "//": "generated", "storage_encrypted": "${var.encrypt}", "publicly_accessible": False,
            "iam_database_authentication_enabled": True, "deletion_protection": True,
            "enabled_cloudwatch_logs_exports": ["postgresql"], "backup_retention_period": 7}}}}, indent=2),
        "sg.tf": 'resource "aws_security_group" "db" {\n  ingress {\n    from_port = 5432\n    to_port = 5432\n'
                 '    protocol = "tcp"\n    cidr_blocks = [local.cidr]\n  }\n}\n',
    }
    assert [(rule, line) for rule, line, _ in scan(files, "db.tf.json")] == [("iac.tf-db-unencrypted", 6)]
    assert [(rule, line) for rule, line, _ in scan(files, "sg.tf")] == [("iac.tf-sg-open-admin-port", 6)]


BUCKET = 'resource "aws_db_instance" "main" {\n  engine = "postgres"\n  publicly_accessible = false\n' \
    '  storage_encrypted = true\n  iam_database_authentication_enabled = true\n  deletion_protection = true\n' \
    '  enabled_cloudwatch_logs_exports = ["postgresql"]\n}\n'


@pytest.mark.parametrize("name", ["override.tf", "db_override.tf", "override.tf.json", "db_override.tf.json"])
def test_an_override_is_merged_over_the_original_block(name: str) -> None:
    override = json.dumps({"resource": {"aws_db_instance": {"main": {"publicly_accessible": True}}}}) \
        if name.endswith(".json") else 'resource "aws_db_instance" "main" {\n  publicly_accessible = true\n}\n'
    files = {"db.tf": BUCKET, name: override}
    hits = scan(files, "db.tf")
    assert [(rule, line) for rule, line, _ in hits] == [("iac.tf-db-public", 1)]  # the original block, in db.tf
    assert f"Value from {name}:" in hits[0][2]
    assert scan(files, name) == []  # not checked as a block of its own (it would lack everything else)


def test_override_files_replace_arguments_and_nested_blocks_and_nothing_else() -> None:
    original = 'resource "aws_security_group" "web" {\n  name = "web"\n  ingress {\n    from_port = 22\n' \
        '    to_port = 22\n    protocol = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n' \
        'locals {\n  encrypted = false\n}\nresource "aws_ebs_volume" "data" {\n  availability_zone = "a"\n' \
        '  encrypted = local.encrypted\n}\n'
    fixed = 'resource "aws_security_group" "web" {\n  ingress {\n    from_port = 443\n    to_port = 443\n' \
        '    protocol = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\nlocals {\n  encrypted = true\n}\n' \
        'resource "aws_s3_bucket" "orphan" {\n  acl = "public-read"\n}\n'  # no original: Terraform refuses it
    assert {rule for rule, _, _ in scan({"main.tf": original}, "main.tf")} == \
        {"iac.tf-sg-open-admin-port", "iac.tf-ebs-unencrypted"}
    assert scan({"main.tf": original, "override.tf": fixed}, "main.tf") == []
    assert scan({"main.tf": original, "override.tf": fixed}, "override.tf") == []


@pytest.mark.parametrize(("text", "line", "message"), [
    ('{\n  "resource": {\n    "aws_s3_bucket": {"b": {"acl": "private",}}\n  }\n}\n', 3, "unexpected '}'"),
    ('{\n  "resource": {\n', 3, "unexpected end of file"),
    ('[\n  {"resource": {}}\n]\n', 1, "must hold one JSON object"),
    ('{"resource": {"aws_s3_bucket": {"b": "private"}}}', 1, "resource aws_s3_bucket b: expected a JSON object"),
    ('{"a": "\x01"}', 1, "Invalid control character"),
    ('{"password": "hunter2-hunter2" x}', 1, "unexpected 'x'"),
])
def test_malformed_json_is_one_note_with_its_line(text: str, line: int, message: str) -> None:
    [note] = [n for _, _, n in scan({"main.tf.json": text}, "main.tf.json")]
    assert note.startswith(f"main.tf.json:{line}: cannot parse as terraform, skipped: ") and message in note
    assert "hunter2" not in note and "\n" not in note


def test_a_broken_json_file_does_not_stop_the_rest_of_the_module() -> None:
    files = {"broken.tf.json": '{"resource": ', "main.tf": 'resource "aws_ebs_volume" "v" {\n  encrypted = false\n}\n'}
    assert [(rule, line) for rule, line, _ in scan(files, "main.tf")] == [("iac.tf-ebs-unencrypted", 2)]


class CountingPattern:
    """Counts the tokens the JSON reader matches: its work, whatever the shape of the input."""

    def __init__(self, pattern: Any) -> None:
        self.pattern, self.calls = pattern, 0

    def match(self, text: str, pos: int) -> Any:
        self.calls += 1
        return self.pattern.match(text, pos)


def test_reading_json_is_linear_in_a_one_megabyte_line_and_deep_nesting(monkeypatch: pytest.MonkeyPatch) -> None:
    counting = CountingPattern(json_located._TOKEN)
    monkeypatch.setattr(json_located, "_TOKEN", counting)
    tags = ", ".join(f'"k{i}": "{"v" * 8}${{var.x}}"' for i in range(45_000))
    line = '{"resource": {"aws_ebs_volume": {"v": {"encrypted": false, "tags": {' + tags + "}}}}}"
    assert len(line) > 1_000_000
    files = {"main.tf.json": line}
    assert [(rule, line) for rule, line, _ in scan(files, "main.tf.json")] == [("iac.tf-ebs-unencrypted", 1)]
    assert counting.calls <= 4 * 45_000 + 40  # one match per token: key, colon, value, comma

    counting.calls = 0
    with pytest.raises(Unparseable, match=f"nested more than {MAX_NESTING} deep"):
        parse_json("[" * 200_000 + "]" * 200_000)
    assert counting.calls == MAX_NESTING + 1
    counting.calls = 0
    assert parse_json("\n" * 500_000 + "[" * 50 + "]" * 50).line == 500_001
    assert counting.calls == 101


def plain(node: JsonNode) -> Any:
    if node.is_object:
        return {member.key: plain(member.value) for member in node.members}
    return [plain(item) for item in node.value] if node.is_array else node.value


@pytest.mark.parametrize("text", ['{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"], "b": {}, "c": []}',
                                  '[{"k": {"l": [[], {}]}}, "\\"quoted\\"", 0]', ' 7 ', '"just a string"',
                                  '{"a": 1, "a": 2}'])
def test_the_reader_gives_what_the_standard_library_gives(text: str) -> None:
    assert plain(parse_json(text)) == json.loads(text)


@pytest.mark.parametrize(("template", "value"), [
    ("${var.n}", [1, 2]),  # one interpolation alone keeps its type
    ("n-${var.n[1]}-$${literal}-%%{directive}", "n-2-${literal}-%{directive}"),
    ("{${var.s}}", "{x}"),
    ("${upper(\"a}b\")}", "A}B"),
])
def test_json_strings_are_templates(template: str, value: Any) -> None:
    files = {"main.tf.json": json.dumps({"variable": {"n": {"default": [1, 2]}, "s": {"default": "x"}},
                                         "output": {"o": {"value": template}}})}
    [output] = [b for _, b in tf_module.read_directory(MemoryTree(files), "", {}, root=True).blocks
                if b.type == "output"]
    variables = {"n": tf_eval.Value([1, 2], ""), "s": tf_eval.Value("x", "")}
    scope = tf_eval.Scope(variables, lambda name, scope: None, tf_eval.Budget(1000))
    assert tf_eval.evaluate(output.attributes["value"].expr, scope) == value


def test_a_template_directive_is_unknown() -> None:
    scope = tf_eval.Scope({}, lambda name, scope: None, tf_eval.Budget(1000))
    node = parse_json('"%{ if true }yes%{ endif }"')
    assert not is_known(tf_eval.evaluate(node, scope))


def test_a_json_tfvars_file_given_with_var_file_is_checked_for_secrets() -> None:
    text = '{\n  "region": "eu-west-1",\n  "db_password": "hunter2-hunter2-x"\n}\n'
    [(rule, line, message)] = scan({"prod.tfvars.json": text}, "prod.tfvars.json")
    assert (rule, line) == ("iac.tf-hardcoded-credentials", 3) and "hunter2-hunter2-x" not in message
