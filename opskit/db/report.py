"""Step 5: the chosen indexes as findings plus the JSON ``indexes``/``queries``/``rejected`` data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opskit.core.findings import Confidence, Finding, Location, Report, Severity, fingerprint
from opskit.core.redact import mask_dsn
from opskit.db.dialects import MYSQL_NOTE, ddl, mysql_why
from opskit.db.interface import Advice, QueryStats, Rejection, TableInfo
from opskit.db.units import format_bytes

OFFLINE_NOTE = "offline: heuristic, not validated (give --dsn to validate with HypoPG)"
RULE_ID = "db.missing-index"


def severity_for(share: float) -> Severity:
    if share >= 0.2:
        return Severity.HIGH
    if share >= 0.05:
        return Severity.MEDIUM
    if share >= 0.01:
        return Severity.LOW
    return Severity.INFO


def to_report(advice: Advice, extra_notes: Sequence[str] = ()) -> Report:
    """Findings (one per index, ranked by time saved) plus the JSON ``indexes``/``queries``/``rejected``."""
    timed = any(q.timed for q in advice.queries)
    unit = "ms" if timed else "calls"
    served_by: dict[str, list[str]] = {}
    findings, indexes = [], []
    for rank, s in enumerate(advice.suggestions, 1):
        c = s.candidate
        for fp in s.queries:
            served_by.setdefault(fp, []).append(c.name)
        size = "unknown size" if s.size_bytes is None else format_bytes(s.size_bytes)
        cost = (
            f"cost {s.cost_before:g} -> {s.cost_after:g}"
            if advice.validated
            else f"heuristic cost {s.cost_before:g} -> {s.cost_after:g} (relative)"
        )
        message = "\n".join(
            [
                ddl(c, advice.dialect),
                *(mysql_why(c) if advice.dialect == "mysql" else []),
                f"saves ~{s.saved_ms:.1f} {unit} ({s.share:.1%} of workload {'time' if timed else 'calls'}), "
                f"{cost}, {size}{_table_facts(_table(advice, c.table))}",
                *[f"serves: {fp[:100]}" for fp in s.queries[:5]],
                *[f"makes dearer: {r.fingerprint[:99]} ({r.cost_before:g}->{r.cost_after:g})" for r in s.regressions],
                *([f"... and {len(s.queries) - 5} more queries"] if len(s.queries) > 5 else []),
            ]
        )
        findings.append(
            Finding(
                rule_id=RULE_ID,
                title=f"#{rank} index on {c.table} ({', '.join(k.sql() for k in c.keys)})"
                + ("" if advice.validated else " [unvalidated]"),
                severity=severity_for(s.share),
                message=message,
                location=Location(path=s.source, line=s.line or None),
                fingerprint=fingerprint(RULE_ID, c.label()),
                confidence=Confidence.HIGH if advice.validated else Confidence.LOW,
                properties={
                    "ddl": ddl(c, advice.dialect),
                    "table": c.table,
                    "saved": s.saved_ms,
                    "share": s.share,
                    "validated": advice.validated,
                },
            )
        )
        indexes.append(
            {
                "rank": rank,
                "name": c.name,
                "table": c.table,
                "columns": c.columns,
                "keys": [k.sql() for k in c.keys],
                "include": list(c.include),
                "where": c.where,
                "ddl": ddl(c, advice.dialect),
                "why": mysql_why(c) if advice.dialect == "mysql" else [],
                "queries": list(s.queries),
                "saved": s.saved_ms,
                "saved_unit": unit,
                "share": s.share,
                "cost_before": s.cost_before,
                "cost_after": s.cost_after,
                "size_bytes": s.size_bytes,
                "table_rows": _table(advice, c.table).rows,
                "table_size_bytes": _table(advice, c.table).size_bytes,
                "validated": advice.validated,
                "regressions": [
                    {"query": r.fingerprint, "cost_before": r.cost_before, "cost_after": r.cost_after}
                    for r in s.regressions
                ],
            }
        )
    queries = [_query_json(q, served_by.get(q.fingerprint, [])) for q in advice.queries]
    rejected = [_rejected_json(r, advice.dialect) for r in advice.rejected]
    advisory = [
        {"ddl": ddl(s.candidate, advice.dialect), "table": s.candidate.table, "queries": list(s.queries),
         "share": s.share, "why": mysql_why(s.candidate) if advice.dialect == "mysql" else []}  # fmt: skip
        for s in advice.advisory
    ]
    label = MYSQL_NOTE if advice.dialect == "mysql" else OFFLINE_NOTE
    notes = [*([] if advice.validated else [label]), *extra_notes, *advice.notes]
    if not advice.queries:
        notes.append("no statements found in the workload")
    return Report(
        command="db suggest-indexes",
        findings=findings,
        data={
            "indexes": indexes,
            "queries": queries,
            "rejected": rejected,
            "advisory": advisory,
            "validated": advice.validated,
        },
        notes=notes,
    )


def _table(advice: Advice, name: str) -> TableInfo:
    return advice.tables.get(name) or TableInfo(name=name, columns=())


def _table_facts(info: TableInfo) -> str:
    if info.rows is None or info.size_bytes is None:
        return ""
    return f"; {info.name} has ~{info.rows:,.0f} rows in {format_bytes(info.size_bytes)}"


def _query_json(q: QueryStats, indexes: list[str]) -> dict[str, Any]:
    return {
        "fingerprint": q.fingerprint,
        "calls": q.calls,
        "total_ms": q.total_ms if q.timed else None,
        "mean_ms": q.mean_ms if q.timed else None,
        "p95_ms": q.p95_ms,
        "sample": mask_dsn(q.sample),
        "location": f"{q.source}:{q.line}",
        "indexes": indexes,
    }


def _rejected_json(r: Rejection, dialect: str) -> dict[str, Any]:
    return {"table": r.candidate.table, "ddl": ddl(r.candidate, dialect), "reason": r.reason}

