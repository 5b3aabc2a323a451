"""Reads one OSV record (https://ossf.github.io/osv-schema/) into an ``Advisory``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from opskit.audit.deps.interface import Advisory, Affected, AffectedRange, Event, RangeKind
from opskit.audit.deps.severity import base_score

_CWE = re.compile(r"CWE-(\d+)")
_EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")
# Which vector wins when a record carries several: the newest CVSS version the library scores.
_SEVERITY_PREFERENCE = ("CVSS_V3", "CVSS_V4")


class RecordError(ValueError):
    """A record that is not valid OSV (no id, wrong types)."""


def _ranges(raw: Any) -> tuple[AffectedRange, ...]:
    ranges = []
    for item in raw or ():
        kind = str(item.get("type", ""))
        if kind not in RangeKind.__members__:
            continue
        events = tuple(
            Event(k, str(v)) for event in item.get("events") or () for k, v in event.items() if k in _EVENT_KINDS
        )
        ranges.append(AffectedRange(RangeKind(kind), events))
    return tuple(ranges)


def _severity(record: Mapping[str, Any]) -> tuple[str | None, float | None]:
    """The vector and its computed base score; affected-level severities count too (GHSA puts them there)."""
    entries = list(record.get("severity") or ())
    for affected in record.get("affected") or ():
        entries.extend(affected.get("severity") or ())
    by_type = {str(e.get("type")): str(e.get("score", "")) for e in entries if isinstance(e, Mapping)}
    for kind in _SEVERITY_PREFERENCE:
        vector = by_type.get(kind)
        if vector:
            score = base_score(vector)
            if score is not None:
                return vector, score
    return None, None


def _first_line(text: Any) -> str:
    lines = str(text or "").strip().splitlines()
    return lines[0] if lines else ""


def parse_record(record: Any) -> Advisory:
    """An ``Advisory`` from a decoded OSV JSON record; raises ``RecordError`` when it is not one."""
    if not isinstance(record, Mapping) or not isinstance(record.get("id"), str):
        raise RecordError("not an OSV record (no string 'id')")
    try:
        affected = tuple(
            Affected(
                ecosystem=str((a.get("package") or {}).get("ecosystem", "")).split(":", 1)[0],
                name=str((a.get("package") or {}).get("name", "")),
                ranges=_ranges(a.get("ranges")),
                versions=frozenset(str(v) for v in a.get("versions") or ()),
            )
            for a in record.get("affected") or ()
        )
        database = record.get("database_specific") or {}
        cwe = sorted({int(n) for tag in database.get("cwe_ids") or () for n in _CWE.findall(str(tag))})
        vector, score = _severity(record)
        references = [r.get("url") for r in record.get("references") or () if r.get("type") == "ADVISORY"]
    except (AttributeError, TypeError, ValueError) as exc:
        raise RecordError(f"{record['id']}: malformed record: {exc}") from None
    return Advisory(
        id=record["id"],
        aliases=tuple(sorted(str(a) for a in record.get("aliases") or ())),
        summary=_first_line(record.get("summary") or record.get("details")),
        modified=str(record.get("modified", "")),
        cwe=tuple(cwe),
        cvss_vector=vector,
        cvss_score=score,
        database_severity=str(database["severity"]) if isinstance(database.get("severity"), str) else None,
        affected=affected,
        url=references[0] if references else None,
        withdrawn=bool(record.get("withdrawn")),
    )


def to_row(advisory: Advisory) -> list[Any]:
    """A compact JSON-able form of an ``Advisory`` (what the offline index stores): reading it back
    skips the record's prose and re-scoring its vector."""
    affected = [[a.ecosystem, a.name, [[r.kind.value, [[e.kind, e.version] for e in r.events]] for r in a.ranges],
                 sorted(a.versions)] for a in advisory.affected]
    return [advisory.id, list(advisory.aliases), advisory.summary, advisory.modified, list(advisory.cwe),
            advisory.cvss_vector, advisory.cvss_score, advisory.database_severity, affected, advisory.url,
            advisory.withdrawn]


def from_row(row: list[Any]) -> Advisory:
    vuln_id, aliases, summary, modified, cwe, vector, score, rating, affected, url, withdrawn = row
    return Advisory(
        id=vuln_id, aliases=tuple(aliases), summary=summary, modified=modified, cwe=tuple(cwe), cvss_vector=vector,
        cvss_score=score, database_severity=rating, url=url, withdrawn=withdrawn,
        affected=tuple(
            Affected(ecosystem, name,
                     tuple(AffectedRange(RangeKind(kind), tuple(Event(k, v) for k, v in events))
                           for kind, events in ranges),
                     frozenset(versions))
            for ecosystem, name, ranges, versions in affected),
    )
