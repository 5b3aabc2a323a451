"""Human-readable text: findings grouped by file, worst first, colored only on a terminal."""

from __future__ import annotations

from itertools import groupby

import click

from opskit.core.findings import Finding, Report, Severity
from opskit.core.render.interface import Renderer

_COLORS = {
    Severity.CRITICAL: "magenta",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "white",
}


class TextRenderer(Renderer):
    name = "text"

    def __init__(self, color: bool = False, verbose: int = 0) -> None:
        self.color = color
        self.verbose = verbose

    def _style(self, text: str, **kwargs: object) -> str:
        return click.style(text, **kwargs) if self.color else text  # type: ignore[arg-type]

    def _finding(self, f: Finding) -> list[str]:
        loc = f.location
        where = "" if loc.line is None else f"{loc.line}:{loc.column or 1}"
        sev = self._style(f"{f.severity.value.upper():8}", fg=_COLORS[f.severity], bold=True)
        tags = " ".join([*f.cwe_tags, *(o.split("-")[0] for o in f.owasp)])
        head = f"  {where:>8}  {sev} {self._style(f.rule_id, bold=True)}  {f.title}"
        if tags:
            head += self._style(f"  [{tags}]", dim=True)
        lines = [head]
        lines += [f"            {line}" for line in f.message.splitlines() if line.strip()]
        also = f.properties.get("also_reported_by")
        if also:
            lines.append(self._style(f"            also reported by: {', '.join(also)}", dim=True))
        if loc.snippet and self.verbose >= 0:
            lines.append(self._style(f"            > {loc.snippet.strip()[:200]}", dim=True))
        return lines

    def render(self, report: Report) -> str:
        out: list[str] = []
        by_path = sorted(report.findings, key=lambda f: f.location.path)
        groups = [(path, list(group)) for path, group in groupby(by_path, key=lambda f: f.location.path)]
        # Files by their worst finding (then by path); inside a file, in line order.
        groups.sort(key=lambda item: (-max(f.severity.rank for f in item[1]), item[0]))
        for path, group in groups:
            out.append(self._style(path, underline=True))
            for finding in sorted(group, key=lambda f: (f.location.line or 0, -f.severity.rank, f.rule_id)):
                out.extend(self._finding(finding))
            out.append("")
        for note in report.notes:
            out.append(self._style(f"note: {note}", dim=True))
        counts = {s: 0 for s in Severity}
        for f in report.findings:
            counts[f.severity] += 1
        parts = [f"{n} {s.value}" for s, n in sorted(counts.items(), key=lambda kv: -kv[0].rank) if n]
        summary = f"{len(report.findings)} finding(s)" + (f": {', '.join(parts)}" if parts else "")
        if report.verdict:
            summary += f" — verdict: {report.verdict}"
        out.append(self._style(summary, bold=True))
        return "\n".join(out) + "\n"
