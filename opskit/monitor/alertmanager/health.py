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
class Silence:
    id: str
    active: bool
    ends: datetime | None
    matchers: str  # name="value",name=~"regexp"
    created_by: str


@dataclass(frozen=True)
class Snapshot:
    """What the Alertmanager said, already reduced to typed fields (odd shapes become empty)."""

    url: str
    healthy: tuple[int, str]
    cluster: str  # ready, settling, disabled, ... or "?"
    peers: int
    config: str  # the loaded configuration as YAML text ("" if none)
    silences: Sequence[Silence]
    metrics: str


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _silence(raw: Mapping[str, Any]) -> Silence:
    try:
        ends: datetime | None = datetime.fromisoformat(str(raw.get("endsAt", "")).replace("Z", "+00:00"))
    except ValueError:
        ends = None
    matchers = ",".join(
        f"{m.get('name')}{'=~' if m.get('isRegex') else '='}{m.get('value')}"
        for m in raw.get("matchers") or [] if isinstance(m, dict)
    )
    active = _mapping(raw.get("status")).get("state") == "active"
    return Silence(str(raw.get("id", "?")), active, ends, matchers, str(raw.get("createdBy", "?")))


def fetch(client: AlertmanagerClient) -> Snapshot:
    health = client.get("/-/healthy")
    metrics = client.get("/metrics")
    status = _mapping(client.json("/api/v2/status"))
    cluster = _mapping(status.get("cluster"))
    peers = cluster.get("peers")
    silences = client.json("/api/v2/silences")
    return Snapshot(
        url=client.url,
        healthy=(health.status_code, health.text.strip()[:200]),
        cluster=str(cluster.get("status", "?")),
        peers=len(peers) if isinstance(peers, list) else 0,
        config=str(_mapping(status.get("config")).get("original") or ""),
        silences=[_silence(s) for s in silences if isinstance(s, dict)] if isinstance(silences, list) else [],
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
        config = yaml.load(original, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except (yaml.YAMLError, RecursionError):
        return {}
    found: dict[str, list[str]] = defaultdict(list)
    receivers = config.get("receivers") if isinstance(config, dict) else None
    for receiver in receivers if isinstance(receivers, list) else []:
        if not isinstance(receiver, dict):
            continue
        for key in receiver:
            if key.endswith("_configs"):
                found[key[: -len("_configs")]].append(str(receiver.get("name")))
    return found


def judge_receivers(snapshot: Snapshot) -> CheckResult:
    """Failed notifications per receiver (``receiver_name`` label) or per integration (older releases)."""
    totals: dict[tuple[str, str], float] = {}
    for labels, value in _samples(snapshot.metrics, "alertmanager_notifications_total"):
        totals[(labels.get("receiver_name", ""), labels.get("integration", ""))] = value
    by_integration = _receivers_by_integration(snapshot.config)
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
        if silence.active and silence.ends is not None and silence.ends - now <= SILENCE_WARNING:
            hours = max(0.0, (silence.ends - now).total_seconds() / 3600)
            expiring.append(f"{silence.id} {{{silence.matchers}}} by {silence.created_by} ends in {hours:.1f}h")
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
    state = snapshot.cluster
    verdict = {"ready": Status.PASS, "disabled": Status.PASS, "settling": Status.WARN}.get(state, Status.FAIL)
    results.append(_result(url, "cluster", "Cluster status", verdict, f"{state} ({snapshot.peers} peer(s))",
                           "/api/v2/status"))
    reloads = _plain(snapshot.metrics, "alertmanager_config_last_reload_successful")
    loaded = bool(snapshot.config) and all(v == 1 for v in reloads)
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
