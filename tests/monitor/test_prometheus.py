"""Against the real Prometheus: real exporters, a down target, a failing rule, a breaching service."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from opskit.monitor.gate import CheckSpec, Condition, GateSettings, SloSpec, connect, run_gate
from tests.harness import Prometheus
from tests.monitor.conftest import Sandbox, eventually, opskit
from tests.monitor.exporter import ServiceExporter, free_port

pytestmark = pytest.mark.prometheus

# Evaluating this fails every time: two series on the "one" side of a group_left match.
FAILING_RULE = {
    "record": "opskit_test:many_to_many",
    "expr": 'vector(1) / on() group_left() (label_replace(vector(1), "x", "a", "", "")'
    ' or label_replace(vector(2), "x", "b", "", ""))',
}
GOOD_RULE = {"record": "opskit_test:one", "expr": "vector(1)"}


def error_ratio_query(job: str, window: str = "$window") -> str:
    return (
        f'sum(rate(http_requests_total{{job="{job}", code=~"5.."}}[{window}]))'
        f' / sum(rate(http_requests_total{{job="{job}"}}[{window}]))'
    )


def error_ratio_check(job: str) -> CheckSpec:
    return CheckSpec(name="error-ratio", query=error_ratio_query(job), window="5s", fail_when=Condition(">", 0.05))


class World:
    """Two real services (one healthy, one whose error ratio the test switches), a down target, rules."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.healthy = ServiceExporter().start()
        self.service = ServiceExporter().start()
        self.healthy_job = sandbox.targets("healthy", [self.healthy.target])
        self.service_job = sandbox.targets("service", [self.service.target])
        self.down_port = free_port()
        self.down_job = sandbox.targets("down", [f"127.0.0.1:{self.down_port}"])
        self.group = sandbox.rules("rules", [GOOD_RULE, FAILING_RULE])
        for job in (self.healthy_job, self.service_job):
            sandbox.prometheus.wait_for_job(job)

    def set_error_ratio(self, ratio: float) -> None:
        """Switch the service's error ratio and wait until Prometheus sees it over 5s."""
        self.service.error_ratio = ratio
        eventually(
            lambda: self.sandbox.value(error_ratio_query(self.service_job, "5s")),
            lambda v: v is not None and (v > 0.2 if ratio else v == 0),
            f"error ratio {ratio} of {self.service_job}",
        )

    def stop(self) -> None:
        self.healthy.stop()
        self.service.stop()


@pytest.fixture(scope="module")
def world(sandbox: Sandbox) -> Iterator[World]:
    built = World(sandbox)
    yield built
    built.stop()


def write_checks(path: Path, job: str) -> Path:
    p99 = f'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{{job="{job}"}}[5s])))'
    path.write_text(
        json.dumps(
            {
                "checks": [
                    {
                        "name": "error-ratio",
                        "query": error_ratio_query(job),
                        "window": "5s",
                        "fail_when": "> 0.05",
                    },
                    {
                        "name": "p99-latency",
                        "query": p99,
                        "fail_when": "> 0.5",
                    },
                    {
                        "name": "error-ratio-latest",
                        "query": error_ratio_query(job),
                        "window": "5s",
                        "range": "10s",
                        "step": "1s",
                        "reduce": "last",
                        "fail_when": "> 0.05",
                    },
                ]
            }
        )
    )
    return path


def check_args(prometheus: Prometheus, world: World, checks: Path) -> list[str]:
    return [
        "monitor", "check", "--url", prometheus.url, "--checks", str(checks), "--only", "targets",
        "--only", "rules", "--only", "checks", "--job", f"{world.sandbox.prefix}-*",
        "--rule-group", world.group, "--format", "json",
    ]  # fmt: skip


def by_name(report: dict) -> dict[str, dict]:
    return {c["name"]: c for c in report["checks"]}


def test_check_finds_down_target_failing_rule_and_breach_then_passes_when_fixed(
    prometheus: Prometheus, world: World, tmp_path: Path
) -> None:
    sandbox = world.sandbox
    world.set_error_ratio(0.5)
    eventually(lambda: sandbox.job_health(world.down_job), lambda h: h == ["down"], "down target scraped")
    eventually(lambda: sandbox.rule_group(world.group), lambda g: g and g["rules"][1]["health"] == "err", "rule error")
    args = check_args(prometheus, world, write_checks(tmp_path / "checks.yml", world.service_job))

    broken = opskit(*args)

    assert broken.returncode == 1, broken.stderr
    report = json.loads(broken.stdout)
    assert report["verdict"] == "failed"
    checks = by_name(report)
    down = checks[f"targets/{world.down_job}"]
    assert down["status"] == "fail"
    assert f"127.0.0.1:{world.down_port}" in down["reason"] and "connection refused" in down["reason"]
    rule = checks[f"rules/{world.group}"]
    assert rule["status"] == "fail" and "opskit_test:many_to_many" in rule["reason"]
    assert "many-to-many" in rule["reason"] or "duplicate series" in rule["reason"]
    assert checks["error-ratio"]["status"] == "fail" and checks["error-ratio"]["value"] > 0.05
    assert checks["p99-latency"]["status"] == "pass"
    assert checks[f"targets/{world.healthy_job}"]["status"] == "pass"
    rule_ids = {f["rule_id"] for f in report["findings"]}
    assert checks["error-ratio-latest"]["status"] == "fail"  # a range query, judged on its last point
    assert rule_ids == {
        "monitor.target-down",
        "monitor.rule-eval-failure",
        "monitor.check.error-ratio",
        "monitor.check.error-ratio-latest",
    }

    # Fix all three: errors stop, the down job gets a live exporter, the rule is corrected.
    fixed_target = ServiceExporter().start()
    try:
        world.set_error_ratio(0.0)
        sandbox.targets("down", [fixed_target.target])
        sandbox.rules("rules", [GOOD_RULE, {"record": "opskit_test:many_to_many", "expr": "vector(1)"}])
        prometheus.wait_for_job(world.down_job)
        eventually(lambda: sandbox.rule_group(world.group), lambda g: g and g["rules"][1]["health"] == "ok", "fix")

        healthy = opskit(*args)

        assert healthy.returncode == 0, healthy.stdout + healthy.stderr
        report = json.loads(healthy.stdout)
        assert report["verdict"] == "successful" and report["findings"] == []
        assert {c["status"] for c in report["checks"]} == {"pass"}
    finally:
        sandbox.targets("down", [f"127.0.0.1:{world.down_port}"])
        sandbox.rules("rules", [GOOD_RULE, FAILING_RULE])
        fixed_target.stop()


def test_gate_fails_within_the_failure_limit_for_a_breaching_service(prometheus: Prometheus, world: World) -> None:
    world.set_error_ratio(0.5)
    client = connect(prometheus.url, timeout=5)
    settings = GateSettings(interval=0.2, count=6, failure_limit=1)

    result = run_gate(client, [error_ratio_check(world.service_job)], settings)

    assert result.verdict == "failed"
    assert len(result.rounds) == settings.failure_limit + 1
    assert all(r.status.value == "fail" for r in result.rounds)
    assert "error-ratio" in result.reason


def test_gate_is_successful_for_a_healthy_service(prometheus: Prometheus, world: World) -> None:
    client = connect(prometheus.url, timeout=5)
    slo = SloSpec(
        name="availability",
        objective=99.0,
        period="2d",  # windows scale by 2d/30d: the fastest pair is 4m & 20s
        total_query=f'sum(rate(http_requests_total{{job="{world.healthy_job}"}}[$window]))',
        error_query=f'sum(rate(http_requests_total{{job="{world.healthy_job}", code=~"5.."}}[$window]))',
    )

    result = run_gate(client, [error_ratio_check(world.healthy_job), slo], GateSettings(interval=0.2, count=3))

    assert result.verdict == "successful", result.reason
    assert [r.status.value for r in result.rounds] == ["pass", "pass", "pass"]
    slo_result = result.rounds[-1].results[1]
    assert slo_result.details["budget_remaining"] == 1.0


def test_slo_pages_when_the_budget_burns_fast(prometheus: Prometheus, world: World, tmp_path: Path) -> None:
    world.set_error_ratio(0.5)
    spec = tmp_path / "slo.yml"
    spec.write_text(
        "slos:\n"
        "  - name: availability\n"
        "    objective: 99.9\n"
        "    period: 2d\n"
        f'    total_query: sum(rate(http_requests_total{{job="{world.service_job}"}}[$window]))\n'
        f'    error_query: sum(rate(http_requests_total{{job="{world.service_job}", code=~"5.."}}[$window]))\n'
    )

    result = opskit("monitor", "check", "--url", prometheus.url, "--checks", str(spec), "--only", "checks",
                    "--job", world.service_job, "--format", "json")  # fmt: skip

    assert result.returncode == 1, result.stderr
    slo = by_name(json.loads(result.stdout))["availability"]
    assert slo["status"] == "fail"
    assert "page above 14.4x" in slo["reason"]
    assert slo["details"]["burn_rates"]["20s"] > 14.4
    assert slo["value"] < 1  # budget spent


def test_gate_command_exit_codes(prometheus: Prometheus, world: World, tmp_path: Path) -> None:
    world.set_error_ratio(0.5)
    breaching = write_checks(tmp_path / "breach.yml", world.service_job)
    healthy = write_checks(tmp_path / "healthy.yml", world.healthy_job)
    common = ["--url", prometheus.url, "--interval", "0.2", "--count", "2"]

    failed = opskit("monitor", "gate", *common, "--checks", str(breaching), "--format", "json")
    passed = opskit("monitor", "gate", *common, "--checks", str(healthy))

    assert failed.returncode == 1, failed.stderr
    report = json.loads(failed.stdout)
    assert report["verdict"] == "failed" and len(report["rounds"]) == 1
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "verdict: successful" in passed.stdout


def test_server_health_finds_the_failing_rule_in_prometheus_own_metrics(prometheus: Prometheus, world: World) -> None:
    eventually(lambda: world.sandbox.rule_group(world.group), lambda g: g and g["rules"][1]["health"] == "err", "err")

    result = opskit("monitor", "check", "--url", prometheus.url, "--only", "server", "--format", "json")

    report = json.loads(result.stdout)
    checks = by_name(report)
    for name in ("healthy", "ready", "config-loaded", "head-corruptions", "self-monitoring", "samples-ingested"):
        assert checks[name]["status"] == "pass", checks[name]
    assert "Prometheus 2." in checks["build"]["reason"]
    failures = checks["rule-evaluation-failures"]
    assert failures["status"] == "fail" and f'rule_group="{world.sandbox.prometheus.rules_dir}' in failures["reason"]
    assert checks["alertmanagers-discovered"]["status"] == "warn"  # the test server has no Alertmanager
    assert result.returncode == 1
    finding = next(f for f in report["findings"] if f["rule_id"] == "monitor.server.rule-evaluation-failures")
    assert finding["severity"] == "high"


def test_firing_alerts_and_the_table_on_a_terminal_view(prometheus: Prometheus, world: World) -> None:
    alert_job = world.sandbox.job("alerting")
    world.sandbox.rules(
        "alerts",
        [
            {
                "alert": "OpskitTestErrorBudgetBurn",
                "expr": "vector(1)",
                "labels": {"severity": "critical", "job": alert_job},
                "annotations": {"summary": "error budget burning"},
            }
        ],
    )
    eventually(
        lambda: [a["labels"]["alertname"] for a in prometheus.api("alerts")["alerts"] if a["state"] == "firing"],
        lambda names: "OpskitTestErrorBudgetBurn" in names,
        "alert firing",
    )

    result = opskit("monitor", "check", "--url", prometheus.url, "--only", "alerts", "--only", "targets",
                    "--job", f"{world.sandbox.prefix}-*")  # fmt: skip

    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"Prometheus {prometheus.url}"
    assert lines[1].split() == ["STATUS", "CHECK", "VALUE", "REASON"]
    alert_row = next(line for line in lines if "alerts/OpskitTestErrorBudgetBurn" in line)
    assert alert_row.split()[0] == "FAIL" and "(severity critical)" in alert_row and "error budget burning" in alert_row
    down_row = next(line for line in lines if f"targets/{world.down_job}" in line)
    assert down_row.split()[0] == "FAIL" and "1 of 1 target(s) down" in down_row
    assert next(line for line in lines if f"targets/{world.healthy_job}" in line).split()[0] == "PASS"
    assert lines[-1].endswith("— verdict: failed")


def test_sarif_report_written_to_a_file(prometheus: Prometheus, world: World, tmp_path: Path) -> None:
    eventually(lambda: world.sandbox.job_health(world.down_job), lambda h: h == ["down"], "down target scraped")
    report = tmp_path / "reports" / "monitor.sarif"

    result = opskit("monitor", "check", "--url", prometheus.url, "--only", "targets", "--job", world.down_job,
                    "--format", "sarif", "-o", str(report))  # fmt: skip

    assert result.returncode == 1 and result.stdout == ""
    sarif = json.loads(report.read_text())
    (run,) = sarif["runs"]
    assert [r["ruleId"] for r in run["results"]] == ["monitor.target-down"]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        f"{prometheus.url}/api/v1/targets"
    )
