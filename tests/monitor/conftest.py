"""Monitor test helpers: our own jobs and rule groups on the shared Prometheus, removed afterwards."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.harness import Prometheus

T = TypeVar("T")


def eventually(probe: Callable[[], T], accept: Callable[[T], bool], what: str, timeout: float = 60.0) -> T:
    """Poll ``probe`` until ``accept`` holds (Prometheus scrapes and evaluates every second)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if accept(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:g}s; last: {value!r}")
        time.sleep(0.5)


def opskit(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The real command line, as CI and on-call run it, with extra environment variables."""
    return subprocess.run(
        [sys.executable, "-m", "opskit", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **env},
    )


class Sandbox:
    """Uniquely named jobs and rule groups for one test module; every file it writes is removed."""

    def __init__(self, prometheus: Prometheus) -> None:
        self.prometheus = prometheus
        self.prefix = f"opskit-monitor-{uuid.uuid4().hex[:8]}"
        self.files: list[Path] = []

    def job(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    def _write(self, path: Path, text: str) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(path)  # file_sd must never read half a file
        if path not in self.files:
            self.files.append(path)

    def targets(self, name: str, targets: list[str]) -> str:
        """Point job ``<prefix>-<name>`` at ``targets`` (file_sd, picked up within a second)."""
        job = self.job(name)
        doc = [{"targets": targets, "labels": {"job": job}}]
        self._write(self.prometheus.targets_dir / f"{job}.json", json.dumps(doc))
        return job

    def rules(self, name: str, rules: list[dict[str, Any]]) -> str:
        """Load rule group ``<prefix>-<name>`` and reload Prometheus."""
        group = self.job(name)
        doc = {"groups": [{"name": group, "interval": "1s", "rules": rules}]}
        self._write(self.prometheus.rules_dir / f"{group}.yml", json.dumps(doc))
        self.prometheus.reload()
        return group

    def rule_group(self, group: str) -> dict[str, Any] | None:
        groups = self.prometheus.api("rules")["groups"]
        return next((g for g in groups if g["name"] == group), None)

    def job_health(self, job: str) -> list[str]:
        active = self.prometheus.api("targets", state="active")["activeTargets"]
        return [t["health"] for t in active if t["labels"].get("job") == job]

    def value(self, promql: str) -> float | None:
        result = self.prometheus.api("query", query=promql)["result"]
        return float(result[0]["value"][1]) if result else None

    def cleanup(self) -> None:
        for path in self.files:
            path.unlink(missing_ok=True)
        if any(p.parent == self.prometheus.rules_dir for p in self.files):
            with contextlib.suppress(OSError):  # a server that is gone has nothing left to reload
                self.prometheus.reload()


@pytest.fixture(scope="module")
def sandbox(prometheus: Prometheus) -> Iterator[Sandbox]:
    box = Sandbox(prometheus)
    yield box
    box.cleanup()
