"""Targets, rule groups and alerts: pure judgements over the answers of /api/v1/{targets,rules,alerts}."""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from opskit.core.findings import Location
from opskit.monitor.interface import CheckResult, PrometheusClient, Status

FAILING_SEVERITIES = frozenset({"critical", "page", "high", "error"})
WARNING_SEVERITIES = frozenset({"warning", "warn", "medium", "ticket"})


@dataclass(frozen=True)
class Scope:
    """Which jobs and rule groups to judge (shell-style patterns); empty means all."""

    jobs: tuple[str, ...] = ()
    rule_groups: tuple[str, ...] = ()

    @staticmethod
    def _match(value: str, patterns: Sequence[str]) -> bool:
        return not patterns or any(fnmatch.fnmatchcase(value, p) for p in patterns)

    def job(self, name: str) -> bool:
        return self._match(name, self.jobs)

    def group(self, name: str) -> bool:
        return self._match(name, self.rule_groups)


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clock(timestamp: str) -> str:
    """``2026-11-24T06:50:01.123456Z`` as ``06:50:01Z``; Prometheus' zero time as ``never``."""
    if not timestamp or timestamp.startswith("0001-"):
        return "never"
    date, _, time = timestamp.partition("T")
    return time.split(".")[0].rstrip("Z") + "Z" if time else date


def judge_targets(data: Mapping[str, Any], url: str, scope: Scope) -> list[CheckResult]:
    """One result per job: fail with every down target's last error and last scrape, else pass.

    A target not scraped yet (health ``unknown``) is not down: it gets its first scrape within an interval.
    """
    by_job: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for target in data.get("activeTargets", []):
        job = target.get("labels", {}).get("job") or target.get("scrapePool", "?")
        if scope.job(job):
            by_job[job].append(target)
    results = []
    for job, targets in sorted(by_job.items()):
        down = [t for t in targets if t.get("health") == "down"]
        waiting = sum(1 for t in targets if t.get("health") not in ("up", "down"))
        where = Location(path=f"{url}/api/v1/targets")
        if not down:
            reason = f"{len(targets) - waiting} of {len(targets)} target(s) up"
            reason += f", {waiting} not scraped yet" if waiting else ""
            status, details = Status.PASS, {}
        else:
            first = down[0]
            instance = first.get("labels", {}).get("instance") or first.get("scrapeUrl", "?")
            reason = (
                f"{len(down)} of {len(targets)} target(s) down; {instance}: "
                f"{_short(first.get('lastError') or first.get('health', 'unknown'))} "
                f"(last scrape {_clock(first.get('lastScrape', ''))})"
            )
            status = Status.FAIL
            details = {
                "down": [
                    {
                        "instance": t.get("labels", {}).get("instance"),
                        "scrape_url": t.get("scrapeUrl"),
                        "health": t.get("health"),
                        "last_error": t.get("lastError"),
                        "last_scrape": t.get("lastScrape"),
                    }
                    for t in down
                ]
            }
        results.append(
            CheckResult(
                id="monitor.target-down",
                name=f"targets/{job}",
                status=status,
                reason=reason,
                title=f"Targets of job {job}",
                location=where,
                details=details,
            )
        )
    return results


def judge_rules(data: Mapping[str, Any], scope: Scope) -> list[CheckResult]:
    """One result per rule group: fail when a rule's last evaluation errored."""
    results = []
    for group in data.get("groups", []):
        name = group.get("name", "?")
        if not scope.group(name):
            continue
        rules = group.get("rules", [])
        broken = [r for r in rules if r.get("health") == "err" or r.get("lastError")]
        if broken:
            first = broken[0]
            reason = (
                f"{len(broken)} of {len(rules)} rule(s) failing; {first.get('name', '?')}: "
                f"{_short(first.get('lastError', 'evaluation error'))}"
            )
            status = Status.FAIL
        else:
            reason, status = f"{len(rules)} rule(s) evaluating without errors", Status.PASS
        results.append(
            CheckResult(
                id="monitor.rule-eval-failure",
                name=f"rules/{name}",
                status=status,
                reason=reason,
                title=f"Rule group {name}",
                location=Location(path=group.get("file") or "/api/v1/rules"),
                details={"failing": [{"rule": r.get("name"), "error": r.get("lastError")} for r in broken]}
                if broken
                else {},
            )
        )
    return results


def _alert_status(severity: str) -> Status:
    if severity in FAILING_SEVERITIES:
        return Status.FAIL
    return Status.WARN if severity in WARNING_SEVERITIES else Status.PASS


def judge_alerts(alerts: Iterable[Mapping[str, Any]], url: str, scope: Scope) -> list[CheckResult]:
    """Firing alerts by name: critical/page fail, warning warns, others are listed as passing."""
    firing: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    pending = 0
    for alert in alerts:
        labels = alert.get("labels", {})
        if scope.jobs and not scope.job(labels.get("job", "")):
            continue
        if alert.get("state") == "firing":
            firing[labels.get("alertname", "?")].append(alert)
        else:
            pending += 1
    where = Location(path=f"{url}/api/v1/alerts")
    if not firing:
        reason = "no alerts firing" + (f" ({pending} pending)" if pending else "")
        return [CheckResult("monitor.alert-firing", "alerts", Status.PASS, reason, "Firing alerts", location=where)]
    results = []
    for name, instances in sorted(firing.items()):
        severity = max((str(a.get("labels", {}).get("severity", "none")).lower() for a in instances), key=_rank)
        status = _alert_status(severity)
        first = instances[0]
        annotations = first.get("annotations", {})
        summary = annotations.get("summary") or annotations.get("description") or ""
        reason = f"{len(instances)} firing (severity {severity}) since {_clock(first.get('activeAt', ''))}" + (
            f": {_short(summary)}" if summary else ""
        )
        results.append(
            CheckResult(
                id="monitor.alert-firing",
                name=f"alerts/{name}",
                status=status,
                reason=reason,
                title=f"Alert {name} firing",
                location=where,
                details={"labels": [dict(a.get("labels", {})) for a in instances]},
            )
        )
    return results


def _rank(severity: str) -> int:
    return _alert_status(severity).rank


def check_inventory(client: PrometheusClient, scope: Scope, parts: Sequence[str]) -> list[CheckResult]:
    """Fetch and judge the requested parts: any of ``targets``, ``rules``, ``alerts``."""
    results: list[CheckResult] = []
    if "targets" in parts:
        results += judge_targets(client.api("targets", state="active") or {}, client.url, scope)
    if "rules" in parts:
        results += judge_rules(client.api("rules") or {}, scope)
    if "alerts" in parts:
        results += judge_alerts((client.api("alerts") or {}).get("alerts", []), client.url, scope)
    return results
