"""Baselines: accepted findings, recorded by content fingerprint (never the secret itself).

A secret's fingerprint is a salted hash of the secret with its rule and path, so an entry keeps
matching when lines move or commits are rebased, and a baseline file can be committed safely.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from opskit.core.atomic import atomic_write
from opskit.core.errors import InputError
from opskit.core.findings import Finding

FORMAT_VERSION = 1


@dataclass(frozen=True)
class BaselineEntry:
    fingerprint: str
    rule_id: str
    path: str
    line: int | None = None  # where it was when recorded; informational only


@dataclass(frozen=True)
class Baseline:
    source: str
    entries: tuple[BaselineEntry, ...]

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(e.fingerprint for e in self.entries)


def write(path: Path, findings: Sequence[Finding]) -> None:
    """Record ``findings`` (one entry per fingerprint) atomically."""
    entries: dict[str, BaselineEntry] = {}
    for f in sorted(findings, key=lambda f: (f.location.path, f.location.line or 0, f.rule_id)):
        entries.setdefault(f.fingerprint, BaselineEntry(f.fingerprint, f.rule_id, f.location.path, f.location.line))
    document = {
        "version": FORMAT_VERSION,
        "generated_by": "opskit audit",
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "entries": [vars(e) for e in entries.values()],
    }
    atomic_write(path, json.dumps(document, indent=2) + "\n")


def load(path: Path) -> Baseline:
    """Read a baseline written by ``write``; anything else is an InputError naming the file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: baseline file not found (create it with --write-baseline)") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise InputError(f"{path}: baseline is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION or not isinstance(data.get("entries"), list):
        raise InputError(f"{path}: not an opskit baseline (expected version {FORMAT_VERSION} with an 'entries' list)")
    entries = []
    for number, raw in enumerate(data["entries"], 1):
        try:
            entry = BaselineEntry(str(raw["fingerprint"]), str(raw["rule_id"]), str(raw["path"]), raw.get("line"))
            entries.append(entry)
        except (KeyError, TypeError):
            raise InputError(f"{path}: entry {number} needs fingerprint, rule_id and path") from None
    return Baseline(source=str(path), entries=tuple(entries))


def without_known(findings: Sequence[Finding], known: Baseline) -> list[Finding]:
    """The findings the baseline does not already accept."""
    accepted = known.fingerprints
    return [f for f in findings if f.fingerprint not in accepted]


def stale_notes(known: Baseline, findings: Sequence[Finding]) -> list[str]:
    """One note per baseline entry that matches no current finding (fixed, or the file moved)."""
    current = {f.fingerprint for f in findings}
    return [
        f"{known.source}: stale baseline entry {e.rule_id} in {e.path}"
        + (f" (was line {e.line})" if e.line else "") + f" [{e.fingerprint[:12]}] matches nothing now"
        for e in known.entries
        if e.fingerprint not in current
    ]
