"""The shared renderers: JSON schema fields, SARIF that GitHub code scanning accepts, grouped text."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from opskit.core.findings import Confidence, Finding, Location, Report, Severity, fingerprint
from opskit.core.render import get_renderer


def _finding(path: str = "app.py", line: int = 12, severity: Severity = Severity.HIGH, rule: str = "py.sqli"):
    return Finding(
        rule_id=rule,
        title="SQL built from request data",
        severity=severity,
        message="request.args['q'] reaches cursor.execute",
        location=Location(path=path, line=line, column=5, end_line=line, end_column=40, snippet="cur.execute(q)"),
        fingerprint=fingerprint(rule, path, "cur.execute(q)"),
        confidence=Confidence.MEDIUM,
        cwe=(89,),
        owasp=("A03:2021-Injection",),
        properties={"source": "request.args"},
    )


def test_json_has_versioned_schema_and_extra_data() -> None:
    report = Report(command="audit", findings=[_finding()], data={"stats": {"files": 3}}, notes=["x.py: skipped"])
    doc = json.loads(get_renderer("json").render(report))
    assert doc["schema_version"] == "1.0"
    assert doc["command"] == "audit"
    assert doc["stats"] == {"files": 3}
    assert doc["summary"] == {"findings": 1, "by_severity": {"high": 1}}
    finding = doc["findings"][0]
    assert finding["cwe"] == ["CWE-89"]
    assert finding["location"]["line"] == 12
    assert finding["properties"] == {"source": "request.args"}
    assert Finding.from_dict(finding) == _finding()


def test_sarif_is_github_code_scanning_shaped() -> None:
    findings = [_finding(), _finding(path="b.py", line=3), _finding(rule="py.weak-hash", severity=Severity.LOW)]
    doc = json.loads(get_renderer("sarif").render(Report(command="audit", findings=findings)))
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].endswith("sarif-2.1.0.json")
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["py.sqli", "py.weak-hash"]
    assert "CWE-89" in rules[0]["properties"]["tags"]
    assert "owasp-A03" in rules[0]["properties"]["tags"]
    assert float(rules[0]["properties"]["security-severity"]) >= 7.0
    assert float(rules[1]["properties"]["security-severity"]) < 4.0
    results = run["results"]
    assert len(results) == 3
    assert results[2]["ruleIndex"] == 1
    assert results[0]["level"] == "error" and results[2]["level"] == "note"
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 12 and region["startColumn"] == 5
    assert results[0]["partialFingerprints"]["opskit/v1"] == findings[0].fingerprint


def test_text_groups_by_file_and_summarises() -> None:
    report = Report(
        command="audit",
        findings=[_finding("b.py", 9), _finding("a.py", 30, Severity.CRITICAL), _finding("a.py", 2, Severity.LOW)],
        notes=["c.py: could not parse"],
    )
    text = get_renderer("text").render(report)
    assert text.index("a.py") < text.index("b.py")
    assert text.index("2:5") < text.index("30:5")
    assert "note: c.py: could not parse" in text
    assert text.rstrip().endswith("3 finding(s): 1 critical, 1 high, 1 low")
    assert "\x1b[" not in text


def test_text_orders_files_by_their_worst_finding() -> None:
    report = Report(
        command="audit",
        findings=[_finding("a.py", 1, Severity.LOW), _finding("z.py", 5, Severity.CRITICAL),
                  _finding("m.py", 3, Severity.HIGH), _finding("b.py", 7, Severity.HIGH)],
    )
    text = get_renderer("text").render(report)
    order = [line for line in text.splitlines() if line.endswith(".py")]
    assert order == ["z.py", "b.py", "m.py", "a.py"]


def test_text_colors_only_when_asked() -> None:
    text = get_renderer("text", color=True).render(Report(command="audit", findings=[_finding()]))
    assert "\x1b[" in text


@pytest.mark.parametrize(
    ("severities", "fail_on", "verdict", "fails"),
    [
        ([Severity.MEDIUM], Severity.HIGH, None, False),
        ([Severity.MEDIUM, Severity.HIGH], Severity.HIGH, None, True),
        ([Severity.CRITICAL], None, None, False),
        ([], None, "failed", True),
        ([], Severity.LOW, "successful", False),
    ],
)
def test_report_fails_at_threshold_or_negative_verdict(severities, fail_on, verdict, fails) -> None:
    report = Report(command="x", findings=[_finding(severity=s) for s in severities], verdict=verdict)
    assert report.fails(fail_on) is fails


def test_fingerprint_is_stable_and_part_sensitive() -> None:
    assert fingerprint("a", "b") == fingerprint("a", "b")
    assert fingerprint("a", "b") != fingerprint("ab", "")


def test_large_reports_are_compact_and_complete() -> None:
    findings = [_finding(path=f"f{i}.py", line=i + 1) for i in range(2500)]
    text = get_renderer("json").render(Report(command="audit", findings=findings))
    assert text.count("\n") == 1
    assert len(json.loads(text)["findings"]) == 2500
    small = get_renderer("json").render(Report(command="audit", findings=findings[:3]))
    assert small.count("\n") > 30


def test_text_names_other_rules_that_reported_the_same_issue() -> None:
    merged = replace(_finding(), properties={"also_reported_by": ["bandit.B608"]})
    assert "also reported by: bandit.B608" in get_renderer("text").render(Report(command="audit", findings=[merged]))


def test_one_verdict_enum_decides_the_exit() -> None:
    from opskit.core.findings import Verdict
    from opskit.monitor.interface import GateResult

    assert [v.value for v in Verdict] == ["successful", "failed", "inconclusive"]
    assert GateResult.__annotations__["verdict"] == "Verdict"
    assert not Report("x", [], verdict=Verdict.SUCCESSFUL).fails(None)
    assert Report("x", [], verdict=Verdict.INCONCLUSIVE).fails(None)
