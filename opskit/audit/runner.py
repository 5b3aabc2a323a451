"""Runs the selected scanners over many files on every core, with the content-hash cache.

Work is split into batches of about a megabyte; each worker process reads its files, skips
binaries, answers from the cache where it can and scans the rest. Worker processes are forked
so the scanners (compiled rules, parsers) are built once in the parent.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from opskit.audit.cache import Entries, cache_key, content_hash
from opskit.audit.files import decode
from opskit.audit.interface import FileRef, Scanner, SourceFile
from opskit.audit.suppress import drop_inline_suppressed
from opskit.audit.trees import WorkTree
from opskit.core.findings import Finding

BATCH_BYTES = 1 << 20
BATCH_FILES = 200
PARALLEL_MIN_BYTES = 4 << 20  # below this a pool costs more than it saves

Item = FileRef | SourceFile


@dataclass
class RunOutcome:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files_scanned: int = 0
    bytes_scanned: int = 0
    cache: Entries = field(default_factory=dict)


# Set in the parent before forking; read by workers (copy-on-write, never pickled).
_SCANNERS: Sequence[Scanner] = ()
_CACHE: Entries = {}


def _load(item: Item) -> tuple[SourceFile | None, bytes, str | None]:
    if isinstance(item, SourceFile):
        return item, item.text.encode("utf-8", "surrogateescape"), None
    try:
        with open(item.abspath, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return None, b"", f"{item.path}: cannot read: {exc.strerror or exc}"
    text = decode(data)
    if text is None:
        return None, data, None  # binary: skipped silently, like gitleaks
    return SourceFile(path=item.path, text=text, tree=WorkTree.of(item)), data, None


def _scan_batch(items: Sequence[Item]) -> tuple[list[dict[str, Any]], list[str], Entries, int, int]:
    """Worker: scan one batch; return findings as dicts, notes, new cache entries and counts."""
    findings: list[dict[str, Any]] = []
    notes: list[str] = []
    fresh: Entries = {}
    scanned = nbytes = 0
    pending: dict[int, list[tuple[SourceFile, str]]] = {}
    for item in items:
        source, data, error = _load(item)
        if error:
            notes.append(error)
        if source is None:
            continue
        scanned += 1
        nbytes += len(data)
        digest = content_hash(data) if not source.origin else ""
        for index, scanner in enumerate(_SCANNERS):
            if not scanner.wants(source.path):
                continue
            key = cache_key(scanner.name, scanner.version, source.path, digest)
            if digest and key in _CACHE:
                for entry in _CACHE[key]:  # findings, and the file's notes stored as {"note": ...}
                    if "note" in entry:
                        notes.append(entry["note"])
                    else:
                        findings.append(entry)
                fresh[key] = _CACHE[key]
            else:
                pending.setdefault(index, []).append((source, key))
    for index, entries in pending.items():
        sources = [source for source, _ in entries]
        result = _SCANNERS[index].scan(sources)
        notes.extend(result.notes)
        by_path: dict[str, list[dict[str, Any]]] = {source.path: [] for source, _ in entries}
        for note in result.notes:  # a note about one file ("path: ...") is replayed with its cached result
            path = note.split(": ", 1)[0]
            if path in by_path:
                by_path[path].append({"note": note})
        for finding in drop_inline_suppressed(result.findings, sources):
            as_dict = finding.to_dict()
            as_dict["properties"]["scanner"] = _SCANNERS[index].name  # lets api merge cross-scanner repeats
            findings.append(as_dict)
            by_path.setdefault(finding.location.path, []).append(as_dict)
        for source, key in entries:
            if not source.origin:
                fresh[key] = by_path.get(source.path, [])
    return findings, notes, fresh, scanned, nbytes


def _batches(items: Iterable[Item]) -> list[list[Item]]:
    batches: list[list[Item]] = []
    current: list[Item] = []
    size = 0
    for item in items:
        current.append(item)
        size += item.size if isinstance(item, FileRef) else len(item.text)
        if size >= BATCH_BYTES or len(current) >= BATCH_FILES:
            batches.append(current)
            current, size = [], 0
    if current:
        batches.append(current)
    return batches


def run_scanners(
    items: Sequence[Item],
    scanners: Sequence[Scanner],
    cache: Entries,
    jobs: int | None = None,
    on_progress: Callable[[int], None] = lambda n: None,
) -> RunOutcome:
    """Scan ``items`` with ``scanners``; ``on_progress`` gets the number of files done per batch."""
    global _SCANNERS, _CACHE
    _SCANNERS, _CACHE = scanners, cache
    outcome = RunOutcome()
    batches = _batches(items)
    total = sum(i.size if isinstance(i, FileRef) else len(i.text) for i in items)
    workers = min(jobs or os.cpu_count() or 1, len(batches))
    try:
        if workers <= 1 or total < PARALLEL_MIN_BYTES:
            results: Iterable[Any] = map(_scan_batch, batches)
            _collect(outcome, results, batches, on_progress)
        else:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                _collect(outcome, pool.map(_scan_batch, batches), batches, on_progress)
    finally:
        _SCANNERS, _CACHE = (), {}
    return outcome


def _collect(
    outcome: RunOutcome, results: Iterable[Any], batches: list[list[Item]], on_progress: Callable[[int], None]
) -> None:
    for batch, (findings, notes, fresh, scanned, nbytes) in zip(batches, results, strict=True):
        outcome.findings.extend(Finding.from_dict(f) for f in findings)
        outcome.notes.extend(notes)
        outcome.cache.update(fresh)
        outcome.files_scanned += scanned
        outcome.bytes_scanned += nbytes
        on_progress(len(batch))
