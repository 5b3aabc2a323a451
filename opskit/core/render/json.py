"""JSON output with a versioned schema (documented in docs/json-schema.md)."""

from __future__ import annotations

from typing import Any

from opskit import __version__
from opskit.core.findings import Report
from opskit.core.render.interface import Renderer, dump_json

SCHEMA_VERSION = "1.0"


class JsonRenderer(Renderer):
    name = "json"

    def render(self, report: Report) -> str:
        counts: dict[str, int] = {}
        for f in report.findings:
            counts[f.severity.value] = counts.get(f.severity.value, 0) + 1
        doc: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "opskit", "version": __version__},
            "command": report.command,
            "verdict": report.verdict,
            "summary": {"findings": len(report.findings), "by_severity": counts},
            "notes": list(report.notes),
            "findings": [f.to_dict() for f in report.findings],
        }
        for key, value in report.data.items():
            doc.setdefault(key, value)
        return dump_json(doc, len(report.findings))
