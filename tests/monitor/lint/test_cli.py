"""The lint command as CI runs it: formats, exit codes, --staged/--base, and one-line errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.monitor.conftest import opskit

GOOD = """\
groups:
  - name: api
    rules:
      - alert: ApiErrors
        expr: sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) > 1
        for: 5m
        labels: {severity: page}
        annotations: {summary: "{{ $labels.job }} fails", runbook_url: "https://runbooks.example/api"}
"""
BAD_RULE = """\
      - alert: QueueStuck
        expr: rate(queue_depth[5m]) > 0
        for: 5m
        labels: {severity: page}
        annotations: {summary: "stuck", runbook_url: "https://runbooks.example/q"}
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": "/usr/bin:/bin"})


def test_example_rules_file_shows_real_problems_with_places() -> None:
    result = opskit("monitor", "lint", "examples/monitor/rules.yml", "--format", "json", "--fail-on", "high")
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert {f["rule_id"] for f in findings} >= {"promql/rate-on-gauge", "promql/dropped-label", "alerts/comparison"}
    assert all(f["location"]["line"] and f["location"]["column"] for f in findings)


def test_clean_file_exits_zero_with_sarif(tmp_path: Path) -> None:
    path = tmp_path / "rules.yml"
    path.write_text(GOOD)
    result = opskit("monitor", "lint", str(path), "--format", "sarif", "--fail-on", "low")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["runs"][0]["results"] == []
    path.write_text(GOOD + BAD_RULE)
    result = opskit("monitor", "lint", str(path), "--format", "sarif", "--fail-on", "low")
    assert result.returncode == 1
    results = json.loads(result.stdout)["runs"][0]["results"]
    (region,) = [r["locations"][0]["physicalLocation"]["region"] for r in results]
    assert (region["startLine"], region["startColumn"]) == (10, 15)


def test_staged_and_base_report_only_changed_rules(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    old = GOOD.replace("[5m]", "[45s]")  # an old problem: range too short
    (repo / "rules.yml").write_text(old)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "rules")
    _git(repo, "checkout", "-qb", "feature")
    (repo / "rules.yml").write_text(old + BAD_RULE)
    _git(repo, "add", "-A")
    for mode in (["--staged"], ["--base", "main"]):
        result = opskit("monitor", "lint", str(repo / "rules.yml"), *mode, "--format", "json")
        report = json.loads(result.stdout)
        assert [f["rule_id"] for f in report["findings"]] == ["promql/rate-on-gauge"], (mode, report)
        assert "not shown" in report["notes"][0]
    everything = json.loads(opskit("monitor", "lint", str(repo / "rules.yml"), "--format", "json").stdout)
    assert {f["rule_id"] for f in everything["findings"]} == {"promql/rate-on-gauge", "promql/range-too-short"}


def test_bad_input_is_one_line_and_a_documented_exit_code(tmp_path: Path) -> None:
    binary = tmp_path / "rules.yml"
    binary.write_bytes(b"\x00\x00")
    result = opskit("monitor", "lint", str(binary))
    assert result.returncode == 2 and "binary file" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    result = opskit("monitor", "lint", str(tmp_path), "--url", "http://127.0.0.1:9", "--timeout", "1")
    assert result.returncode != 0 and "127.0.0.1:9" in result.stderr and "Traceback" not in result.stderr
    result = opskit("monitor", "lint", str(tmp_path), "--history", "soon")
    assert result.returncode == 2 and "--history" in result.stderr


def test_options_come_from_the_lint_config_table(tmp_path: Path) -> None:
    no_runbook = GOOD.replace(', runbook_url: "https://runbooks.example/api"', "")
    (tmp_path / "rules.yml").write_text(no_runbook.replace("[5m]", "[45s]"))
    before = json.loads(opskit("monitor", "lint", str(tmp_path / "rules.yml"), "--format", "json").stdout)
    assert {f["rule_id"] for f in before["findings"]} == {"promql/range-too-short", "rules/required"}
    (tmp_path / "pyproject.toml").write_text(
        '[tool.opskit.monitor.lint]\nrequire-annotation = ["summary"]\nscrape-interval = "15s"\n'
    )
    after = json.loads(opskit("monitor", "lint", str(tmp_path / "rules.yml"), "--format", "json").stdout)
    assert after["findings"] == []


def test_same_rules_same_report_whatever_the_hash_seed() -> None:
    runs = [opskit("monitor", "lint", "examples/monitor/rules.yml", "tests/monitor/lint/fixtures", "--format", fmt,
                   PYTHONHASHSEED=seed).stdout for fmt in ("json", "sarif") for seed in ("1", "2")]
    assert runs[0] == runs[1] and runs[2] == runs[3] and runs[0]
