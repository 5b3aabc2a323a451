"""The text view of a monitor report: one table row per check (pass, warn, fail), then the verdict."""

from __future__ import annotations

import io
import json
import shutil
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from opskit.core.findings import Report
from opskit.core.render.interface import Renderer
from opskit.monitor.judge import fmt_value

_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "error": "magenta"}


def _value(value: Any) -> str:
    if value is None:
        return ""
    return fmt_value(value) if isinstance(value, float) else str(value)


class CheckTableRenderer(Renderer):
    """Renders ``Report.data["checks"]`` as a table; colors only on a terminal."""

    name = "text"

    def __init__(self, color: bool = False, verbose: int = 0) -> None:
        self.color = color
        self.verbose = verbose

    def render(self, report: Report) -> str:
        checks = list(report.data.get("checks", []))
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        table.add_column("STATUS", no_wrap=True)
        table.add_column("CHECK", no_wrap=True)
        table.add_column("VALUE", justify="right", no_wrap=True)
        table.add_column("REASON", overflow="fold")
        for check in checks:
            status = check["status"]
            table.add_row(
                Text(status.upper(), style=_STYLE.get(status, "")),
                check["name"],
                _value(check.get("value")),
                check["reason"],
            )
        width = shutil.get_terminal_size((160, 24)).columns if self.color else 160
        buffer = io.StringIO()
        console = Console(file=buffer, width=width, color_system="standard" if self.color else None)
        named = (("prometheus", "Prometheus"), ("alertmanager", "Alertmanager"))
        servers = [f"{name} {report.data[key]}" for key, name in named if report.data.get(key)]
        console.print(", ".join(servers) or "Prometheus", style="bold", highlight=False)
        console.print(table)
        if self.verbose:  # -v: what lies behind each non-passing row (every down target, failing rule...)
            for check in checks:
                if check["status"] != "pass" and check.get("details"):
                    console.print(f"{check['name']}: {json.dumps(check['details'])}", highlight=False, soft_wrap=True)
        for round_ in report.data.get("rounds", []):
            failing = [f"{c['name']} {c['status']}" for c in round_["checks"] if c["status"] != "pass"]
            console.print(
                f"round {round_['round']}: {round_['status']}" + (f" ({', '.join(failing)})" if failing else ""),
                style=_STYLE.get(round_["status"], ""),
                highlight=False,
            )
        for note in report.notes:
            console.print(f"note: {note}", style="dim", highlight=False)
        counts = report.data.get("counts", {})
        parts = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
        console.print(
            f"{len(checks)} check(s): {parts} — verdict: {report.verdict}",
            style=_STYLE["fail" if report.verdict in ("failed", "inconclusive") else "pass"],
            highlight=False,
        )
        return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
