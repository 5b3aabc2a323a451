"""Targets, rule groups and alerts judged from real-shaped API answers."""

from __future__ import annotations

from opskit.core.findings import Severity
from opskit.monitor.interface import Status
from opskit.monitor.inventory import Scope, judge_alerts, judge_rules, judge_targets

URL = "http://prom:9090"


def target(job: str, instance: str, health: str, error: str = "") -> dict:
    return {
        "discoveredLabels": {"__address__": instance},
        "labels": {"instance": instance, "job": job},
        "scrapePool": "file_sd",
        "scrapeUrl": f"http://{instance}/metrics",
        "lastError": error,
        "lastScrape": "2026-11-24T06:50:01.123456789Z",
        "lastScrapeDuration": 0.0012,
        "health": health,
    }


TARGETS = {
    "activeTargets": [
        target("api", "10.0.0.1:8080", "up"),
        target("api", "10.0.0.2:8080", "down", 'Get "http://10.0.0.2:8080/metrics": dial tcp: connection refused'),
        target("db", "10.0.0.3:9187", "up"),
        target("batch", "10.0.0.4:9100", "unknown"),
    ],
    "droppedTargets": [],
}


def test_down_targets_grouped_by_job_with_last_error_and_scrape() -> None:
    results = {r.name: r for r in judge_targets(TARGETS, URL, Scope())}
    api = results["targets/api"]
    assert api.status is Status.FAIL and api.id == "monitor.target-down"
    assert api.reason == (
        '1 of 2 target(s) down; 10.0.0.2:8080: Get "http://10.0.0.2:8080/metrics": dial tcp: connection refused'
        " (last scrape 06:50:01Z)"
    )
    assert api.details["down"][0]["instance"] == "10.0.0.2:8080"
    assert results["targets/db"].status is Status.PASS
    assert results["targets/batch"].status is Status.PASS  # not scraped yet is not down


def test_job_scope() -> None:
    names = [r.name for r in judge_targets(TARGETS, URL, Scope(jobs=("d*",)))]
    assert names == ["targets/db"]


RULES = {
    "groups": [
        {
            "name": "recording",
            "file": "/etc/prometheus/rules/recording.yml",
            "interval": 30,
            "rules": [
                {"name": "job:up:sum", "health": "ok", "lastError": "", "type": "recording"},
                {
                    "name": "job:ratio",
                    "health": "err",
                    "lastError": "found duplicate series for the match group {} on the right hand-side",
                    "type": "recording",
                },
            ],
        },
        {"name": "alerts", "file": "/etc/prometheus/rules/alerts.yml", "rules": [{"name": "Up", "health": "ok"}]},
    ]
}


def test_rule_groups_with_evaluation_errors() -> None:
    recording, alerts = judge_rules(RULES, Scope())
    assert recording.status is Status.FAIL and recording.id == "monitor.rule-eval-failure"
    assert recording.reason.startswith("1 of 2 rule(s) failing; job:ratio: found duplicate series")
    assert recording.location is not None and recording.location.path == "/etc/prometheus/rules/recording.yml"
    assert alerts.status is Status.PASS
    assert [r.name for r in judge_rules(RULES, Scope(rule_groups=("alerts",)))] == ["rules/alerts"]


def alert(name: str, severity: str, state: str = "firing", job: str = "api") -> dict:
    return {
        "labels": {"alertname": name, "severity": severity, "job": job},
        "annotations": {"summary": f"{name} on {job}"},
        "state": state,
        "activeAt": "2026-11-24T06:40:00Z",
        "value": "1e+00",
    }


def test_firing_alerts_by_severity() -> None:
    alerts = [
        alert("HighErrorRate", "critical"),
        alert("HighErrorRate", "critical"),
        alert("DiskFilling", "warning", job="node"),
        alert("Watchdog", "none"),
        alert("SlowRequests", "warning", state="pending"),
    ]
    results = {r.name: r for r in judge_alerts(alerts, URL, Scope())}
    assert set(results) == {"alerts/HighErrorRate", "alerts/DiskFilling", "alerts/Watchdog"}
    high = results["alerts/HighErrorRate"]
    assert (high.status, high.finding_severity) == (Status.FAIL, Severity.HIGH)
    assert high.reason == "2 firing (severity critical) since 06:40:00Z: HighErrorRate on api"
    disk = results["alerts/DiskFilling"]
    assert (disk.status, disk.finding_severity) == (Status.WARN, Severity.MEDIUM)
    assert results["alerts/Watchdog"].status is Status.PASS
    scoped = judge_alerts(alerts, URL, Scope(jobs=("node",)))
    assert [r.name for r in scoped] == ["alerts/DiskFilling"]


def test_no_alerts_firing_is_one_passing_check() -> None:
    (result,) = judge_alerts([alert("SlowRequests", "warning", state="pending")], URL, Scope())
    assert result.status is Status.PASS and result.reason == "no alerts firing (1 pending)"
