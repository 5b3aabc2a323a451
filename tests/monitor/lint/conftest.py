"""A Prometheus of our own for the live lint tests: an hour of backfilled history (a renamed metric,
a flapping and a steady error series) plus a prometheus-client exporter it scrapes every second.

Own server, own port and own directory: the shared Prometheus stays untouched by our rule groups.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server

from tests import harness
from tests.monitor.exporter import free_port

JOB = "lint-app"
FLAP_PERIOD = 84  # seconds: 42 s failing, 42 s fine -> 40 flaps in 56 minutes
FLAPS = 40


def _openmetrics(now: float) -> str:
    """An hour of history: the metric before its rename, a flapping and a steady error series."""
    start = int(now) - 62 * 60
    lines = ["# TYPE legacy_jobs_processed counter"]
    lines += [f'legacy_jobs_processed_total{{job="{JOB}"}} {i} {start + i * 15}' for i in range(0, 32 * 4)]
    lines.append("# TYPE flappy_errors gauge")
    flap_start = int(now) - 2 * 60 - FLAPS * FLAP_PERIOD
    lines += [
        f'flappy_errors{{job="{JOB}"}} {1 if (t - flap_start) % FLAP_PERIOD < FLAP_PERIOD // 2 else 0} {t}'
        for t in range(flap_start, int(now) - 2 * 60, 6)
    ]
    lines.append("# TYPE steady_errors gauge")
    lines += [f'steady_errors{{job="{JOB}"}} 1 {t}' for t in range(start, int(now) - 60, 15)]
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


class App:
    """The exporter: today's metric names, a gauge with a counter-like name, and an info series."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.jobs = Counter("jobs_processed", "Jobs done.", registry=self.registry)
        self.requests = Counter("http_requests", "Requests.", ["code"], registry=self.registry)
        self.queue = Gauge("queue_depth", "Jobs waiting.", registry=self.registry)
        self.evictions = Gauge("cache_evictions_count", "A gauge despite its name.", registry=self.registry)
        self.info = Gauge("app_info", "Build info.", ["service", "version"], registry=self.registry)
        self.jobs.inc(5)
        self.requests.labels(code="200").inc(100)
        self.requests.labels(code="500").inc(3)
        self.queue.set(7)
        self.evictions.set(2)
        self.info.labels(service="checkout", version="1.2.3").set(1)
        self.server, _ = start_http_server(0, addr="127.0.0.1", registry=self.registry)
        self.target = f"127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass(frozen=True)
class OwnPrometheus:
    url: str
    rules_dir: Path

    def api(self, path: str) -> object:
        with urllib.request.urlopen(f"{self.url}/api/v1/{path}", timeout=10) as resp:
            return json.load(resp)["data"]

    def reload(self) -> None:
        harness.reload_prometheus(self.url)


def _wait(url: str, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{what} did not answer at {url} within {timeout:g}s")


@pytest.fixture(scope="module")
def app() -> Iterator[App]:
    exporter = App()
    yield exporter
    exporter.stop()


@pytest.fixture(scope="module")
def lint_prometheus(
    prometheus: harness.Prometheus, app: App, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OwnPrometheus]:
    """Our Prometheus (the shared fixture first, so the Debian package is installed)."""
    root = tmp_path_factory.mktemp("lint-prometheus")
    (root / "rules").mkdir()
    history = root / "history.om"
    history.write_text(_openmetrics(time.time()))
    subprocess.run(
        ["/usr/bin/promtool", "tsdb", "create-blocks-from", "openmetrics", str(history), str(root / "data")],
        check=True, capture_output=True,
    )
    addr = f"127.0.0.1:{free_port()}"
    config = root / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        f"rule_files: [{json.dumps(str(root / 'rules' / '*.yml'))}]\n"
        f"scrape_configs:\n  - job_name: {JOB}\n    static_configs: [{{targets: [{json.dumps(app.target)}]}}]\n"
    )
    proc = harness.spawn_prometheus(config, root / "data", addr, root / "prometheus.log", None)
    try:
        _wait(f"http://{addr}/-/ready", "our Prometheus")
        server = OwnPrometheus(f"http://{addr}", root / "rules")
        deadline = time.monotonic() + 30
        while not server.api("query?query=count_over_time(queue_depth[1m])>=3")["result"]:  # type: ignore[index]
            assert time.monotonic() < deadline, "our Prometheus never scraped the exporter"
            time.sleep(0.5)
        yield server
    finally:
        proc.terminate()
        proc.wait(timeout=30)
