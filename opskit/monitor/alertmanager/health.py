"""Is the Alertmanager able to page? Reachable, cluster settled, config loaded, receivers whose
notifications fail (from its /metrics), silences that expire within a day. Pure judgements over
one fetched snapshot."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import yaml

from opskit.core.errors import ServiceError
from opskit.core.findings import Location
from opskit.monitor.alertmanager.client import AlertmanagerClient
from opskit.monitor.interface import CheckResult, Status

_SAMPLE = re.compile(r"^(alertmanager_\w+)\{([^}]*)\}\s+(\S+)", re.MULTILINE)
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
SILENCE_WARNING = timedelta(days=1)


@dataclass(frozen=True)
class Snapshot:
    url: str
    healthy: tuple[int, str]
    status: Mapping[str, Any]
    silences: Sequence[Mapping[str, Any]]
    metrics: str


def fetch(client: AlertmanagerClient) -> Snapshot:
    health = client.get("/-/healthy")
    metrics = client.get("/metrics")
    return Snapshot(
        url=client.url,
        healthy=(health.status_code, health.text.strip()[:200]),
        status=client.json("/api/v2/status") or {},
        silences=client.json("/api/v2/silences") or [],
        metrics=metrics.text if metrics.status_code == 200 else "",
    )


def _result(url: str, name: str, title: str, status: Status, reason: str, path: str) -> CheckResult:
    return CheckResult(
        id=f"monitor.alertmanager.{name}",
        name=f"alertmanager-{name}",
        status=status,
        reason=reason,
        title=title,
        location=Location(path=f"{url}{path}"),
    )


def _samples(text: str, name: str) -> list[tuple[dict[str, str], float]]:
    out = []
    for match in _SAMPLE.finditer(text):
        if match.group(1) == name:
            try:
                out.append((dict(_LABEL.findall(match.group(2))), float(match.group(3))))
            except ValueError:
                continue
    return out


def _receivers_by_integration(original: str) -> dict[str, list[str]]:
    try:
        config = yaml.safe_load(original) or {}
    except yaml.YAMLError:
        return {}
    found: dict[str, list[str]] = defaultdict(list)
    for receiver in config.get("receivers", []) if isinstance(config, dict) else []:
        for key in receiver:
            if key.endswith("_configs"):
                found[key[: -len("_configs")]].append(str(receiver.get("name")))
    return found


def judge_receivers(snapshot: Snapshot) -> CheckResult:
    """Failed notifications per receiver (``receiver_name`` label) or per integration (older releases)."""
    totals: dict[tuple[str, str], float] = {}
    for labels, value in _samples(snapshot.metrics, "alertmanager_notifications_total"):
        totals[(labels.get("receiver_name", ""), labels.get("integration", ""))] = value
    by_integration = _receivers_by_integration(str(snapshot.status.get("config", {}).get("original", "")))
    failing = []
    for labels, failed in _samples(snapshot.metrics, "alertmanager_notifications_failed_total"):
        if failed <= 0:
            continue
        integration = labels.get("integration", "?")
        receiver = labels.get("receiver_name") or ", ".join(by_integration.get(integration, [])) or "?"
        sent = totals.get((labels.get("receiver_name", ""), integration), failed)
        failing.append(f"{receiver} ({integration}): {failed:g} of {sent:g} notifications failed")
    if failing:
        return _result(snapshot.url, "receivers", "Receivers deliver notifications", Status.FAIL,
                       "; ".join(sorted(failing)) + " since start", "/metrics")
    return _result(snapshot.url, "receivers", "Receivers deliver notifications", Status.PASS,
                   "no failed notifications since start", "/metrics")


def judge_silences(snapshot: Snapshot, now: datetime) -> CheckResult:
    expiring = []
    for silence in snapshot.silences:
        if silence.get("status", {}).get("state") != "active":
            continue
        try:
            ends = datetime.fromisoformat(str(silence.get("endsAt", "")).replace("Z", "+00:00"))
        except ValueError:
            continue
        if ends - now <= SILENCE_WARNING:
            matchers = ",".join(f"{m.get('name')}{'=~' if m.get('isRegex') else '='}{m.get('value')}"
                                for m in silence.get("matchers", []))
            hours = max(0.0, (ends - now).total_seconds() / 3600)
            expiring.append(f"{silence.get('id')} {{{matchers}}} by {silence.get('createdBy', '?')} "
                            f"ends in {hours:.1f}h")
    if expiring:
        return _result(snapshot.url, "silences", "Silences expiring within a day", Status.WARN,
                       f"{len(expiring)} expiring: " + "; ".join(sorted(expiring)), "/api/v2/silences")
    return _result(snapshot.url, "silences", "Silences expiring within a day", Status.PASS,
                   "no active silence ends within a day", "/api/v2/silences")


def judge(snapshot: Snapshot, now: datetime) -> list[CheckResult]:
    """The five checks over one snapshot: healthy, cluster, config, receivers, silences."""
    url = snapshot.url
    code, body = snapshot.healthy
    results = [_result(url, "healthy", "Alertmanager healthy", Status.PASS if code == 200 else Status.FAIL,
                       f"HTTP {code}" + (f": {body}" if body else ""), "/-/healthy")]
    cluster = snapshot.status.get("cluster", {}) or {}
    state = str(cluster.get("status", "?"))
    peers = len(cluster.get("peers") or [])
    verdict = {"ready": Status.PASS, "disabled": Status.PASS, "settling": Status.WARN}.get(state, Status.FAIL)
    results.append(_result(url, "cluster", "Cluster status", verdict, f"{state} ({peers} peer(s))", "/api/v2/status"))
    reloads = _plain(snapshot.metrics, "alertmanager_config_last_reload_successful")
    loaded = bool(snapshot.status.get("config", {}).get("original")) and all(v == 1 for v in reloads)
    results.append(_result(url, "config", "Configuration loaded", Status.PASS if loaded else Status.FAIL,
                           "config loaded, last reload succeeded" if loaded else "last config reload FAILED",
                           "/api/v2/status"))
    results.append(judge_receivers(snapshot))
    results.append(judge_silences(snapshot, now))
    return results


def _plain(text: str, name: str) -> list[float]:
    """Values of an unlabelled sample line ``name value``."""
    values = []
    for match in re.finditer(rf"^{re.escape(name)}\s+(\S+)", text, re.MULTILINE):
        try:
            values.append(float(match.group(1)))
        except ValueError:
            continue
    return values


def check_alertmanager(client: AlertmanagerClient, now: datetime) -> list[CheckResult]:
    """Every Alertmanager check; an unreachable server is one failed result, not an error."""
    try:
        snapshot = fetch(client)
    except ServiceError as exc:
        return [_result(client.url, "healthy", "Alertmanager healthy", Status.FAIL, str(exc), "")]
    return judge(snapshot, now)
