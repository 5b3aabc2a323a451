"""GitHub Actions workflows: the labelled corpus, recognition by path and content, `on:` forms, bad YAML,
secret masking and bounded work on pathological input."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path
from typing import Any

import pytest

from opskit.audit.iac import github_actions
from opskit.audit.iac.scanner import GithubActionsScanner
from opskit.audit.interface import ScanResult, ScanSettings, SourceFile

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "bench" / "corpus" / "iac" / "github-actions"


def scan(text: str, path: str = ".github/workflows/ci.yml") -> ScanResult:
    return GithubActionsScanner(ScanSettings()).scan([SourceFile(path, textwrap.dedent(text))])


def workflow(on: str, run: str) -> str:
    """A one-job workflow whose single step runs ``run`` (its later lines indented under the step)."""
    run = run.replace("\n    ", "\n" + " " * 10)
    return f"on: {on}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {run}\n"


def rules(result: ScanResult) -> list[tuple[int, str]]:
    return sorted((f.location.line or 0, f.rule_id.removeprefix("iac.")) for f in result.findings)


def _bench_k8s() -> Any:
    spec = importlib.util.spec_from_file_location("iac_bench_k8s", ROOT / "bench" / "iac_bench_k8s.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_corpus_labels_are_found_at_their_line_and_hardened_projects_are_clean() -> None:
    paths = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yml", ".yaml"))
    scanner = GithubActionsScanner(ScanSettings(root=str(CORPUS)))
    result = scanner.scan([SourceFile(str(p.relative_to(CORPUS)), p.read_text()) for p in paths])
    assert result.notes == []
    findings = [{"location": {"path": f.location.path, "line": f.location.line}, "rule_id": f.rule_id}
                for f in result.findings]
    coverage = _bench_k8s().planted_coverage(findings, CORPUS, paths)
    assert coverage["planted"] >= 20 and len({p.parts[0] for p in (q.relative_to(CORPUS) for q in paths)}) >= 8
    assert coverage["missed"] == [] and coverage["unlabelled_findings"] == []
    assert coverage["false_positives_on_hardened"] == []


def test_recognised_by_path_or_by_on_and_jobs() -> None:
    workflow = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: foo/bar@v1\n"
    assert rules(scan(workflow, "ci/pipeline.yaml")) == [(6, "gha-unpinned-action")]
    assert rules(scan("jobs:\n  a:\n    steps:\n      - uses: foo/bar@v1\n", ".github/workflows/x.yml")) == \
        [(4, "gha-unpinned-action")]
    assert scan("jobs:\n  a:\n    steps:\n      - uses: foo/bar@v1\n", "ci/other.yml").findings == []
    assert scan("name: x\nruns:\n  using: node20\n  main: index.js\n", "action.yml").findings == []
    k8s = "apiVersion: v1\nkind: ConfigMap\ndata:\n  on: 'true'\n  jobs: '3'\n"
    assert scan(k8s, "k8s/config.yaml").findings == []


@pytest.mark.parametrize("on", ["pull_request_target", "[push, pull_request_target]",
                                "\n  pull_request_target:\n    types: [opened]", "{workflow_run: {workflows: [CI]}}"])
def test_every_form_of_on_is_read(on: str) -> None:
    text = f"'on': {on}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n"
    assert rules(scan(text)) == [(1, "gha-excessive-permissions")]


def test_bad_yaml_is_one_note_without_the_helm_hint() -> None:
    result = scan("on: push\njobs:\n  a:\n    steps:\n      - run: echo ${{ github.sha }}\n     bad: [\n")
    assert result.findings == []
    assert len(result.notes) == 1 and result.notes[0].startswith(".github/workflows/ci.yml:")
    assert "Helm" not in result.notes[0]


def test_secret_names_only_never_values() -> None:
    result = scan(workflow("push", 'echo "${{ secrets.PROD_DB_PASSWORD }}"'))
    assert rules(result) == [(6, "gha-secret-echoed")]
    assert "secrets.PROD_DB_PASSWORD" in result.findings[0].message


def test_line_inside_a_block_script_with_blank_lines() -> None:
    script = '|  # triage\n    set -e\n\n    echo ok\n    echo "${{ github.event.issue.body }}"'
    result = scan(workflow("issues", script))
    assert rules(result) == [(10, "gha-script-injection")]


class Counter:
    def __init__(self, wrapped: Any) -> None:
        self.wrapped, self.calls = wrapped, 0

    def search(self, *args: Any) -> Any:
        self.calls += 1
        return self.wrapped.search(*args)


def test_work_is_linear_in_unclosed_and_many_expressions(monkeypatch: pytest.MonkeyPatch) -> None:
    assert list(github_actions.expressions("${{" * 100_000)) == []
    many = " ".join(["${{ github.sha }}"] * 5_000)
    checker = GithubActionsScanner(ScanSettings()).checker
    assert isinstance(checker, github_actions.GithubActionsChecker)
    counter = Counter(checker._attacker)
    monkeypatch.setattr(checker, "_attacker", counter)
    text = f"on: push\njobs:\n  a:\n    steps:\n      - run: echo {many} {'${{' * 50_000}\n"
    assert checker.check(".github/workflows/ci.yml", text, None) == []  # type: ignore[arg-type]
    assert counter.calls == 5_000


def test_deep_nesting_is_a_note() -> None:
    result = scan("on: push\njobs: " + "[" * 5000 + "]" * 5000 + "\n")
    assert result.findings == [] and len(result.notes) == 1 and "nested" in result.notes[0]
