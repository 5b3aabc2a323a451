"""``db unused-indexes``: indexes that cost writes and space but serve no reads. Pure analysis.

Unused: never scanned since statistics were reset (unique and primary-key indexes are kept,
they enforce constraints, and so is an index that makes another one redundant: drop one, not
both). Duplicate: same table, keys, INCLUDE and predicate as another; of the pair, the one that
backs a constraint or is used stays. Prefix-redundant: its
keys are a leading prefix of another index's keys with the same predicate.
"""

from __future__ import annotations

from collections.abc import Sequence

from opskit.core.findings import Finding, Location, Report, Severity, fingerprint
from opskit.db.interface import ExistingIndex
from opskit.db.units import format_bytes


def _size(ix: ExistingIndex) -> str:
    return format_bytes(ix.size_bytes or 0)


def _severity(ix: ExistingIndex) -> Severity:
    size = ix.size_bytes or 0
    if size >= 1 << 30:
        return Severity.HIGH
    if size >= 100 << 20:
        return Severity.MEDIUM
    return Severity.LOW


def redundant_with(ix: ExistingIndex, others: Sequence[ExistingIndex]) -> tuple[str, ExistingIndex] | None:
    """("duplicate" | "prefix", the index that makes ``ix`` redundant), if any."""
    if ix.primary:
        return None
    for other in others:
        if other.name == ix.name or other.table != ix.table or other.where != ix.where:
            continue
        if other.keys == ix.keys and other.include == ix.include:
            # keep one of a duplicate pair: the constraint-backing one, else the used one, else the first by name
            if ix.unique and not other.unique:
                continue
            used, theirs = ix.scans or 0, other.scans or 0
            if (other.unique, other.primary) == (ix.unique, ix.primary) and (used, other.name) > (theirs, ix.name):
                continue
            return "duplicate", other
        if not ix.unique and len(other.keys) > len(ix.keys) and other.keys[: len(ix.keys)] == ix.keys:
            return "prefix", other
    return None


def unused_report(
    indexes: Sequence[ExistingIndex], min_size: int, stats_reset: str | None, endpoint: str
) -> Report:
    findings = []
    rows = []
    redundancy = {ix.name: redundant_with(ix, indexes) for ix in indexes}
    keepers = {found[1].name for found in redundancy.values() if found is not None}
    for ix in sorted(indexes, key=lambda i: (-(i.size_bytes or 0), i.name)):
        redundant = redundancy[ix.name]
        if redundant is not None:
            kind, other = redundant
            rule = "db.duplicate-index" if kind == "duplicate" else "db.redundant-index"
            why = (
                f"same definition as {other.name}"
                if kind == "duplicate"
                else f"its keys ({', '.join(ix.keys)}) are a prefix of {other.name} ({', '.join(other.keys)})"
            )
        elif (
            ix.scans == 0
            and not (ix.unique or ix.primary or ix.name in keepers)
            and (ix.size_bytes or 0) >= min_size
        ):
            rule, why, kind = "db.unused-index", "never scanned since statistics were reset", "unused"
        else:
            continue
        message = f"{why}; {_size(ix)}\n{ix.definition}\nDROP INDEX CONCURRENTLY {_qualified_index(ix)};"
        findings.append(
            Finding(
                rule_id=rule,
                title=f"{kind} index {ix.name} on {ix.table} ({_size(ix)})",
                severity=_severity(ix),
                message=message,
                location=Location(path=endpoint),
                fingerprint=fingerprint(rule, ix.table, ix.name),
                properties={
                    "index": ix.name,
                    "table": ix.table,
                    "size_bytes": ix.size_bytes,
                    "scans": ix.scans,
                },
            )
        )
        rows.append(
            {
                "kind": kind,
                "index": ix.name,
                "table": ix.table,
                "size_bytes": ix.size_bytes,
                "scans": ix.scans,
                "reason": why,
                "definition": ix.definition,
            }
        )
    notes = [f"index usage counted since {stats_reset or 'the server started (never reset)'}"]
    return Report(command="db unused-indexes", findings=findings, data={"indexes": rows}, notes=notes)


def _qualified_index(ix: ExistingIndex) -> str:
    schema = ix.table.split(".", 1)[0]
    return f"{schema}.{ix.name}"
