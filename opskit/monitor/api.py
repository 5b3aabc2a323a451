"""The two jobs behind the CLI: ``check`` (one pass over everything asked) and ``gate`` (rounds)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from opskit.core.errors import UsageError
from opskit.core.findings import Report
from opskit.core.progress import progress
from opskit.monitor.alertmanager.health import check_alertmanager
from opskit.monitor.checks_file import load_checks
from opskit.monitor.connection import Connection
from opskit.monitor.evaluate import run_checks
from opskit.monitor.gate import run_gate
from opskit.monitor.health import check_server
from opskit.monitor.interface import PARTS, CheckResult, GateRound, GateSettings
from opskit.monitor.inventory import Scope, check_inventory
from opskit.monitor.report import check_report, gate_report

INVENTORY = ("targets", "rules", "alerts")
__all__ = ["Connection", "check", "gate"]


def check(
    connection: Connection,
    checks_file: Path | None,
    only: Sequence[str] = (),
    scope: Scope = Scope(),  # noqa: B008 - frozen, never mutated
    show_progress: bool = False,
    alertmanager: str | None = None,
) -> Report:
    """Server health, targets, rules, alerts and the file's checks and SLOs (or ``only`` those parts),
    and the Alertmanager's health when its URL is given (alone, without --url, only that)."""
    if "checks" in only and checks_file is None:
        raise UsageError("--only checks needs --checks FILE")
    steps: list[Callable[[], list[CheckResult]]] = []
    am_steps: list[Callable[[], list[CheckResult]]] = []
    if alertmanager:
        am_client = connection.alertmanager(alertmanager)
        am_steps.append(lambda: check_alertmanager(am_client, datetime.now(UTC)))
        if not connection.url:
            only_am = {"prometheus": None, "alertmanager": am_client.url}
            return _run_steps(am_steps, am_client.url, show_progress, only_am)
    parts = only or PARTS
    checks = load_checks(checks_file) if checks_file and "checks" in parts else []
    client = connection.open()
    if "server" in parts:
        steps.append(lambda: check_server(client))
    inventory = [p for p in INVENTORY if p in parts]
    if inventory:
        steps.append(lambda: check_inventory(client, scope, inventory))
    steps += [functools.partial(run_checks, client, [c]) for c in checks]
    extra = {"alertmanager": am_client.url} if alertmanager else {}
    return _run_steps(steps + am_steps, client.url, show_progress, extra)


def _run_steps(
    steps: Sequence[Callable[[], list[CheckResult]]], url: str, show_progress: bool, extra: Mapping[str, str | None]
) -> Report:
    results: list[CheckResult] = []
    with progress("checking Prometheus", total=len(steps), enabled=show_progress) as bar:
        for step in steps:
            results += step()
            bar.advance()
    return check_report("monitor check", url, results, extra)


def gate(
    connection: Connection,
    checks_file: Path,
    settings: GateSettings,
    on_round: Callable[[GateRound], None] | None = None,
) -> Report:
    """Run the gate on the file's checks and SLOs; the report's verdict is the gate's."""
    checks = load_checks(checks_file)
    client = connection.open()
    return gate_report(client.url, run_gate(client, checks, settings, on_round=on_round))
