"""Can we trust this Prometheus? Its health endpoints, runtime status and its own metrics.

The endpoint checks are pure functions over what the server answered; the metric checks are
the data rules in ``rules/server.yml`` run like any service check.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opskit.core.errors import InputError, ServiceError
from opskit.core.findings import Location
from opskit.monitor.checks_file import parse_checks, read_yaml
from opskit.monitor.evaluate import run_checks
from opskit.monitor.interface import CheckResult, CheckSpec, PrometheusClient, QueryError, Status

SERVER_RULES = Path(__file__).parent / "rules" / "server.yml"


@functools.cache
def server_rules() -> tuple[CheckSpec, ...]:
    """The built-in metric checks, with rule ids ``monitor.server.<name>``."""
    specs = parse_checks(read_yaml(SERVER_RULES), SERVER_RULES, extra_keys=frozenset({"examples"}))
    return tuple(
        dataclasses.replace(spec, rule_id=f"monitor.server.{spec.name}", location=None)
        for spec in specs
        if isinstance(spec, CheckSpec)
    )


@dataclass(frozen=True)
class ServerStatus:
    """What the server said about itself, fetched once."""

    url: str
    healthy: tuple[int, str]
    ready: tuple[int, str]
    buildinfo: Mapping[str, Any]
    runtimeinfo: Mapping[str, Any]
    self_series: int  # prometheus_build_info series: 0 when it does not scrape itself


def fetch_status(client: PrometheusClient) -> ServerStatus:
    """Everything the endpoint checks judge, in five requests."""
    return ServerStatus(
        url=client.url,
        healthy=client.probe("/-/healthy"),
        ready=client.probe("/-/ready"),
        buildinfo=client.api("status/buildinfo") or {},
        runtimeinfo=client.api("status/runtimeinfo") or {},
        self_series=len(_server_query(client, "prometheus_build_info")),
    )


def _server_query(client: PrometheusClient, promql: str) -> list[Any]:
    """A query of our own: a server refusing it is failing (exit 3), not the user's mistake."""
    try:
        return list(client.query(promql))
    except QueryError as exc:
        raise ServiceError(f"{client.url}/api/v1/query: the server refused {promql!r}: {exc.message}") from None


def _result(status: ServerStatus, name: str, title: str, state: Status, reason: str, path: str) -> CheckResult:
    return CheckResult(
        id=f"monitor.server.{name}",
        name=name,
        status=state,
        reason=reason,
        title=title,
        location=Location(path=f"{status.url}{path}"),
    )


def judge_status(status: ServerStatus, skipped_rules: int) -> list[CheckResult]:
    """Endpoint checks: healthy, ready, build, config reload, corruption and self-monitoring."""
    results = []
    for name, path, (code, body) in (
        ("healthy", "/-/healthy", status.healthy),
        ("ready", "/-/ready", status.ready),
    ):
        ok = code == 200
        reason = f"HTTP {code}" + (f": {body}" if body else "")
        results.append(_result(status, name, f"Server {name}", Status.PASS if ok else Status.FAIL, reason, path))
    build = status.buildinfo
    results.append(
        _result(
            status,
            "build",
            "Build",
            Status.PASS,
            f"Prometheus {build.get('version', '?')} (revision {build.get('revision', '?')}, "
            f"{build.get('goVersion', '?')})",
            "/api/v1/status/buildinfo",
        )
    )
    runtime = status.runtimeinfo
    reload_ok = runtime.get("reloadConfigSuccess", True)
    results.append(
        _result(
            status,
            "config-loaded",
            "Configuration loaded",
            Status.PASS if reload_ok else Status.FAIL,
            f"last reload {'succeeded' if reload_ok else 'FAILED'}; config from {runtime.get('lastConfigTime', '?')}",
            "/api/v1/status/runtimeinfo",
        )
    )
    corruptions = int(runtime.get("corruptionCount", 0) or 0)
    results.append(
        _result(
            status,
            "head-corruptions",
            "WAL or head corruptions since start",
            Status.FAIL if corruptions else Status.PASS,
            f"{corruptions} corruption(s) since {runtime.get('startTime', 'start')}",
            "/api/v1/status/runtimeinfo",
        )
    )
    scraped = status.self_series > 0
    results.append(
        _result(
            status,
            "self-monitoring",
            "Server scrapes its own metrics",
            Status.PASS if scraped else Status.WARN,
            f"{status.self_series} Prometheus server(s) scraped"
            if scraped
            else f"no prometheus_build_info series: add a scrape job for the server itself; "
            f"{skipped_rules} metric checks skipped",
            "/api/v1/query",
        )
    )
    return results


def check_server(client: PrometheusClient) -> list[CheckResult]:
    """Every server health check: endpoints first, then the metric rules if it scrapes itself."""
    status = fetch_status(client)
    rules = server_rules()
    results = judge_status(status, skipped_rules=len(rules))
    if status.self_series:
        try:
            results += run_checks(client, rules)
        except InputError as exc:  # our built-in queries rejected: the server's fault, not the user's
            raise ServiceError(f"{client.url}/api/v1/query: server refused a built-in check: {exc.message}") from None
    return results
