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
from dataclasses import dataclass, field, replace
from typing import Any

from opskit.audit.cache import Entries, cache_key, content_hash, scanner_key
from opskit.audit.content import SAMPLE_BYTES, WINDOW_BYTES, Window, binary_reason, to_text, windows
from opskit.audit.git_blobs import read_blobs
from opskit.audit.interface import FileRef, Scanner, SourceFile
from opskit.audit.suppress import drop_inline_suppressed
from opskit.audit.trees import WorkTree
from opskit.core.errors import InputError
from opskit.core.findings import Finding
from opskit.core.inputs import open_input

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
_KEYS: Sequence[str] = ()
_CACHE: Entries = {}


def _load(item: Item) -> tuple[SourceFile | None, bytes, str | None]:
    if isinstance(item, SourceFile):
        return item, item.text.encode("utf-8", "surrogateescape"), None
    try:
        with open_input(item.abspath, "file", max_bytes=WINDOW_BYTES, shown=item.path) as handle:
            data = handle.read(WINDOW_BYTES + 1)
    except (InputError, OSError) as exc:
        return None, b"", _skip_note(item, exc)
    reason = binary_reason(data[:SAMPLE_BYTES])
    if reason:
        return None, data, f"{item.path}: skipped, {reason}"
    return SourceFile(path=item.path, text=to_text(data), tree=WorkTree.of(item)), data, None


def _shifted(finding: Finding, window: Window) -> Finding:
    """A finding in a window, placed in the whole file."""
    loc = finding.location
    if loc.line is None or (window.line == 1 and window.column == 0):
        return finding
    column = loc.column + window.column if loc.column is not None and loc.line == 1 else loc.column
    end_line = loc.end_line + window.line - 1 if loc.end_line is not None else None
    return replace(finding, location=replace(loc, line=loc.line + window.line - 1, column=column, end_line=end_line))


def _scan_windows(item: FileRef, findings: list[dict[str, Any]], notes: list[str]) -> None:
    """A file over one window: scanners with line-local rules (``streams``) read it in windows."""
    wanting = [scanner for scanner in _SCANNERS if scanner.wants(item.path)]
    streaming = [scanner for scanner in wanting if scanner.streams]
    if len(streaming) < len(wanting):
        notes.append(f"{item.path}: {item.size} bytes, over {WINDOW_BYTES}: read in windows by "
                     f"{', '.join(s.name for s in streaming) or 'no scanner'}, not by "
                     f"{', '.join(s.name for s in wanting if not s.streams)}")
    try:
        with open_input(item.abspath, "file", max_bytes=item.size * 2 + WINDOW_BYTES, shown=item.path) as handle:
            reason = binary_reason(handle.read(SAMPLE_BYTES))
            if reason:
                notes.append(f"{item.path}: skipped, {reason}")
                return
            handle.seek(0)
            for window in windows(handle, WINDOW_BYTES):
                source = SourceFile(path=item.path, text=window.text)
                for scanner in streaming:
                    result = scanner.scan([source])
                    notes.extend(result.notes)
                    for finding in drop_inline_suppressed(result.findings, [source]):
                        as_dict = _shifted(finding, window).to_dict()
                        as_dict["properties"]["scanner"] = scanner.name
                        findings.append(as_dict)
    except (InputError, OSError) as exc:
        notes.append(_skip_note(item, exc))


def _scan_whole_files(scanner: Scanner, sources: Sequence[SourceFile], blobs: dict[tuple[str, str], str],
                      findings: list[dict[str, Any]], notes: list[str]) -> None:
    """Added lines of one commit (or the index): a scanner that needs context reads each whole file
    at that revision and keeps the findings on added lines, as a tree scan of that content would."""
    origin = sources[0].origin
    commit = origin["commit"]
    wholes: list[SourceFile] = []
    added: dict[str, set[int]] = {}
    for source in sources:
        text = blobs.get((commit, source.path))
        if text is None:
            notes.append(f"{source.path}: cannot read the whole file from git ({commit[:12]}), "
                         f"skipped by {scanner.name}")
            continue
        wholes.append(SourceFile(path=source.path, text=text, origin=origin, tree=source.tree))
        added[source.path] = {n for n, line in enumerate(source.text.splitlines(), 1) if line.strip()}
    if not wholes:
        return
    result = scanner.scan(wholes)
    notes.extend(result.notes)
    for finding in drop_inline_suppressed(result.findings, wholes):
        if _touches(finding, added.get(finding.location.path, set())):
            as_dict = finding.to_dict()
            as_dict["properties"].update({k: origin[k] for k in ("commit", "author", "date") if k in origin})
            as_dict["properties"]["scanner"] = scanner.name
            findings.append(as_dict)


def _touches(finding: Finding, added: set[int]) -> bool:
    """Whether a finding's lines (a lockfile entry from its name to its version) include an added one."""
    first = finding.location.line
    if first is None:
        return False
    return any(line in added for line in range(first, max(first, finding.location.end_line or first) + 1))


def _skip_note(item: FileRef, exc: InputError | OSError) -> str:
    reason = exc.message.removeprefix(f"{item.path}: ") if isinstance(exc, InputError) else exc.strerror
    return f"{item.path}: skipped, {reason}"


def _scan_batch(items: Sequence[Item]) -> tuple[list[dict[str, Any]], list[str], Entries, int, int]:
    """Worker: scan one batch; return findings as dicts, notes, new cache entries and counts."""
    findings: list[dict[str, Any]] = []
    notes: list[str] = []
    fresh: Entries = {}
    scanned = nbytes = 0
    pending: dict[int, list[tuple[SourceFile, str]]] = {}
    by_revision: dict[tuple[int, str], list[SourceFile]] = {}
    for item in items:
        if isinstance(item, FileRef) and item.size > WINDOW_BYTES:
            _scan_windows(item, findings, notes)
            scanned, nbytes = scanned + 1, nbytes + item.size
            continue
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
            if source.origin.get("commit") and not scanner.streams:
                by_revision.setdefault((index, source.origin["commit"]), []).append(source)
                continue
            key = cache_key(_KEYS[index], source.path, digest)
            if digest and key in _CACHE:
                for entry in _CACHE[key]:  # findings, and the file's notes stored as {"note": ...}
                    if "note" in entry:
                        notes.append(entry["note"])
                    else:
                        findings.append(entry)
                fresh[key] = _CACHE[key]
            else:
                pending.setdefault(index, []).append((source, key))
    if by_revision:
        root = _SCANNERS[0].settings.root
        blobs = read_blobs(root, ((s.origin["commit"], s.path) for group in by_revision.values() for s in group))
        for (index, _), revision in by_revision.items():
            _scan_whole_files(_SCANNERS[index], revision, blobs, findings, notes)
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
    global _SCANNERS, _KEYS, _CACHE
    _SCANNERS, _KEYS, _CACHE = scanners, [scanner_key(s) for s in scanners], cache
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
        _SCANNERS, _KEYS, _CACHE = (), (), {}
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
