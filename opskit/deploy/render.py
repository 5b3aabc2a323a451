"""Text for the state commands (``deploy status/history/lock/unlock``): facts, one per line, no finding count."""

from __future__ import annotations

from opskit.core.findings import Report
from opskit.core.render.interface import Renderer


class StateRenderer(Renderer):
    """The report's notes as plain lines: these commands describe state, they never have findings."""

    name = "text"

    def __init__(self, color: bool = False, verbose: int = 0) -> None:
        self.color = color
        self.verbose = verbose

    def render(self, report: Report) -> str:
        return "".join(f"{note}\n" for note in report.notes)
