"""The check table and the mapping of results onto findings."""

from __future__ import annotations

from opskit.core.findings import Location, Severity, Verdict
from opskit.monitor.interface import CheckResult, GateResult, GateRound, Status
from opskit.monitor.render import CheckTableRenderer
from opskit.monitor.report import check_report, gate_report

URL = "http://prom:9090"
DOWN = CheckResult(
    id="monitor.target-down",
    name="targets/api",
    status=Status.FAIL,
    reason="1 of 2 target(s) down; 10.0.0.2:8080: connection refused (last scrape 06:50:01Z)",
    title="Targets of job api",
    location=Location(path=f"{URL}/api/v1/targets"),
    details={"down": [{"instance": "10.0.0.2:8080"}]},
)
LATENCY = CheckResult(
    id="monitor.check.p99",
    name="p99",
    status=Status.WARN,
    reason="0.3 > 0.25 (warning)",
    value=0.3,
    severity=Severity.CRITICAL,
    location=Location(path="checks.yml", line=12),
)
UP = CheckResult(id="monitor.server.ready", name="ready", status=Status.PASS, reason="HTTP 200")


def test_findings_for_failures_and_warnings_and_every_check_in_data() -> None:
    report = check_report("monitor check", URL, [UP, DOWN, LATENCY])
    assert report.verdict == "failed"
    down, latency = report.findings
    assert (down.rule_id, down.severity, down.location.path) == (
        "monitor.target-down",
        Severity.HIGH,
        DOWN.location.path,
    )
    assert down.message.startswith("targets/api: 1 of 2 target(s) down")
    assert down.properties["down"] == [{"instance": "10.0.0.2:8080"}]
    assert (latency.severity, latency.location.line) == (Severity.MEDIUM, 12)
    assert [c["status"] for c in report.data["checks"]] == ["pass", "fail", "warn"]
    assert report.data["counts"] == {"pass": 1, "warn": 1, "fail": 1, "error": 0}
    assert check_report("monitor check", URL, [UP, LATENCY]).verdict == Verdict.SUCCESSFUL


def test_table_rows_and_summary_without_color() -> None:
    text = CheckTableRenderer().render(check_report("monitor check", URL, [UP, DOWN, LATENCY]))
    lines = text.splitlines()
    assert lines[0] == f"Prometheus {URL}"
    assert lines[1].split() == ["STATUS", "CHECK", "VALUE", "REASON"]
    assert lines[3].split()[:2] == ["PASS", "ready"]
    assert lines[4].split()[:3] == ["FAIL", "targets/api", "1"]
    assert lines[5].split()[:3] == ["WARN", "p99", "0.3"]
    assert lines[-1] == "3 check(s): 1 pass, 1 warn, 1 fail — verdict: failed"
    assert "\x1b[" not in text and all(line == line.rstrip() for line in lines)
    assert '10.0.0.2:8080"' not in text  # details only with -v


def test_verbose_shows_details_and_color_marks_status() -> None:
    report = check_report("monitor check", URL, [DOWN])
    verbose = CheckTableRenderer(verbose=1).render(report)
    assert 'targets/api: {"down": [{"instance": "10.0.0.2:8080"}]}' in verbose
    assert "\x1b[" in CheckTableRenderer(color=True).render(report)


def test_gate_report_lists_rounds_and_reason() -> None:
    rounds = [GateRound(1, Status.PASS, [UP]), GateRound(2, Status.FAIL, [UP, DOWN])]
    report = gate_report(URL, GateResult("failed", "1 failed round(s), more than the 0 tolerated", rounds))
    assert report.verdict == "failed" and report.data["reason"].startswith("1 failed round")
    assert [r["status"] for r in report.data["rounds"]] == ["pass", "fail"]
    text = CheckTableRenderer().render(report)
    assert "round 2: fail (targets/api fail)" in text
    assert "note: gate failed: 1 failed round(s), more than the 0 tolerated" in text
