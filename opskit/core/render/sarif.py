"""SARIF 2.1.0 that GitHub code scanning accepts: CWE tags, security-severity, partial fingerprints."""

from __future__ import annotations

from typing import Any

from opskit import __version__
from opskit.core.findings import Finding, Report, Severity
from opskit.core.render.interface import Renderer, dump_json

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

# GitHub maps security-severity >= 9.0 to critical, >= 7.0 high, >= 4.0 medium, else low.
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def _rule(finding: Finding) -> dict[str, Any]:
    tags = ["security", *finding.cwe_tags, *(f"owasp-{o.split(':')[0]}" for o in finding.owasp)]
    rule: dict[str, Any] = {
        "id": finding.rule_id,
        "name": finding.rule_id.replace(".", "_").replace("-", "_"),
        "shortDescription": {"text": finding.title},
        "fullDescription": {"text": finding.title},
        "defaultConfiguration": {"level": _LEVEL[finding.severity]},
        "properties": {
            "tags": tags,
            "security-severity": _SECURITY_SEVERITY[finding.severity],
            "precision": {"high": "very-high", "medium": "high", "low": "medium"}[finding.confidence.value],
        },
    }
    if finding.owasp:
        rule["properties"]["owasp"] = list(finding.owasp)
    if finding.help_uri:
        rule["helpUri"] = finding.help_uri
    return rule


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    loc = finding.location
    region: dict[str, Any] = {}
    if loc.line is not None:
        region["startLine"] = loc.line
        if loc.column is not None:
            region["startColumn"] = loc.column
        if loc.end_line is not None:
            region["endLine"] = loc.end_line
        if loc.end_column is not None:
            region["endColumn"] = loc.end_column
        if loc.snippet:
            region["snippet"] = {"text": loc.snippet}
    physical: dict[str, Any] = {"artifactLocation": {"uri": loc.path.replace("\\", "/")}}
    if region:
        physical["region"] = region
    result = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {"opskit/v1": finding.fingerprint},
        "properties": {
            "severity": finding.severity.value,
            "confidence": finding.confidence.value,
            **({"security-severity": _SECURITY_SEVERITY[finding.severity]}),
        },
    }
    flow = finding.properties.get("flow")
    if flow:  # a taint path: source, each step, sink
        result["codeFlows"] = [{"threadFlows": [{"locations": [_flow_location(step) for step in flow]}]}]
    return result


def _flow_location(step: dict[str, Any]) -> dict[str, Any]:
    region = {"startLine": step["line"], "startColumn": step["column"]}
    return {"location": {"physicalLocation": {"artifactLocation": {"uri": step["path"].replace("\\", "/")},
                                              "region": region},
                         "message": {"text": step["message"]}}}


class SarifRenderer(Renderer):
    name = "sarif"

    def render(self, report: Report) -> str:
        rules: list[dict[str, Any]] = []
        index: dict[str, int] = {}
        results = []
        for finding in report.findings:
            if finding.rule_id not in index:
                index[finding.rule_id] = len(rules)
                rules.append(_rule(finding))
            results.append(_result(finding, index[finding.rule_id]))
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": "opskit",
                    "version": __version__,
                    "semanticVersion": __version__,
                    "informationUri": "https://pypi.org/project/opskit/",
                    "rules": rules,
                }
            },
            "results": results,
            "columnKind": "unicodeCodePoints",
        }
        if report.notes:
            run["invocations"] = [
                {
                    "executionSuccessful": True,
                    "toolExecutionNotifications": [
                        {"level": "note", "message": {"text": note}} for note in report.notes
                    ],
                }
            ]
        doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
        return dump_json(doc, len(results))
