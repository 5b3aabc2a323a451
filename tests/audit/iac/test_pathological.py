"""Pathological input is bounded by counting work, not by timing it: nested ${...} in a Dockerfile
never reaches BuildKit's cubic word expansion, a heredoc with a 40k-space line never reaches the HCL
library's quadratic heredoc trimming, and Terraform locals that double a value at every step stop at
the evaluator's budget."""

from __future__ import annotations

from typing import Any

import hcl2.rules.strings
import pytest

from opskit.audit.iac import dockerfile_parser, tf_eval
from opskit.audit.iac.scanner import DockerfileScanner, TerraformScanner
from opskit.audit.iac.tf_module import BASE_STEPS, STEPS_PER_BYTE
from opskit.audit.interface import ScanSettings, SourceFile


def test_deeply_nested_substitutions_are_refused_before_buildkit(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(dockerfile_parser, "_library", lambda: calls.append(1))  # would return the Go parser
    nested = "${A:-" * 1000 + "x" + "}" * 1000
    text = f"FROM alpine:3.20\nENV B={nested}\nRUN echo {nested}\n"
    result = DockerfileScanner(ScanSettings()).scan([SourceFile("Dockerfile", text)])
    assert calls == [] and result.findings == []
    assert result.notes == ["Dockerfile: cannot parse as dockerfile, skipped: variable substitutions nested "
                            "1000 deep (more than 32)"]


def test_continued_lines_count_as_one_line_and_ordinary_braces_pass() -> None:
    assert dockerfile_parser.substitution_depth("RUN echo ${A:-\\\n${B:-x}}\nRUN echo ${C}\n") == 2
    assert dockerfile_parser.substitution_depth('CMD ["sh", "-c", "echo {}"]\n' * 100 + "ENV A=${B}\n") == 1


class Counter:
    def __init__(self, wrapped: Any) -> None:
        self.wrapped, self.calls = wrapped, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.wrapped(*args, **kwargs)


def test_heredoc_with_a_huge_line_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    strip = Counter(hcl2.rules.strings._strip_closing_marker_line)  # quadratic in a line's trailing spaces
    monkeypatch.setattr(hcl2.rules.strings, "_strip_closing_marker_line", strip)
    spaces = " " * 40_000
    text = ('resource "aws_iam_policy" "p" {\n  policy = <<EOF\n{"Statement": [{"Effect": "Allow",' + spaces +
            '"Action": "*", "Resource": "*"}]}\n' + spaces + "\nEOF\n}\n")
    result = TerraformScanner(ScanSettings()).scan([SourceFile("iam.tf", text)])
    assert strip.calls == 0
    assert [f.rule_id for f in result.findings] == ["iac.tf-iam-wildcard-policy"]


def test_locals_that_double_a_value_stop_at_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    spent: list[int] = []
    original = tf_eval.Budget.spend

    def spend(self: tf_eval.Budget) -> bool:
        spent.append(1)
        return original(self)

    monkeypatch.setattr(tf_eval.Budget, "spend", spend)
    lines = ['locals {\n  l0 = ["x"]\n  s0 = "0123456789"']
    lines += [f"  l{i} = concat(local.l{i - 1}, local.l{i - 1})\n  s{i} = \"${{local.s{i - 1}}}${{local.s{i - 1}}}\""
              for i in range(1, 60)]
    text = "\n".join(lines) + '\n}\nresource "aws_db_instance" "a" {\n  publicly_accessible = length(local.l59) > 0\n' \
        '  storage_encrypted = true\n  tags = { big = local.s59 }\n}\n'
    result = TerraformScanner(ScanSettings()).scan([SourceFile("main.tf", text)])
    assert "iac.tf-db-public" not in {f.rule_id for f in result.findings}  # too large to know: Unknown
    assert len(spent) <= BASE_STEPS + STEPS_PER_BYTE * len(text)
    assert len(spent) < 2_000  # each local is evaluated once, not once per use


def test_modules_calling_each_other_many_times_stop_at_a_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight levels of modules, each calling the next ten times: 10**8 instances unbounded."""
    from opskit.audit.iac import tf_module
    from opskit.audit.trees import MemoryTree

    reads = Counter(tf_module.read_directory)
    monkeypatch.setattr(tf_module, "read_directory", reads)
    files = {"main.tf": "".join(f'module "m{i}" {{\n  source = "./l1"\n}}\n' for i in range(10))}
    for level in range(1, 9):
        calls = "".join(f'module "m{i}" {{\n  source = "./l{level + 1}"\n}}\n' for i in range(10)) if level < 8 else ""
        files[f"{'/'.join(f'l{n}' for n in range(1, level + 1))}/main.tf"] = (
            calls + 'resource "aws_db_instance" "a" {\n  publicly_accessible = true\n}\n')
    module = tf_module.load_module(MemoryTree(files), "", {})
    assert reads.calls <= 9  # each directory read once
    assert len(module.resources) <= tf_module.MAX_MODULE_CALLS + 1
