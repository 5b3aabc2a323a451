"""``opskit audit`` as a function: choose the sources, run the scanners, filter, build the Report."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from opskit.audit.archives import expand_archives
from opskit.audit.cache import ResultCache, default_cache_dir
from opskit.audit.deps.interface import DepsOptions
from opskit.audit.files import FileFilter, discover_files
from opskit.audit.interface import FileRef, Scanner, ScanSettings, SourceFile
from opskit.audit.runner import RunOutcome, run_scanners
from opskit.core.command import Output
from opskit.core.errors import UsageError
from opskit.core.findings import Finding, Report
from opskit.core.progress import progress

FAMILIES = ("secrets", "code", "iac", "deps")


@dataclass(frozen=True)
class AuditRequest:
    """Everything ``opskit audit`` was asked to do, as plain data."""

    target: str = "."
    only: tuple[str, ...] = ()
    staged: bool = False
    history: bool = False
    since: str | None = None
    selection: FileFilter = field(default_factory=FileFilter)
    baseline: Path | None = None
    write_baseline: Path | None = None
    report_stale: bool = False
    show_secrets: bool = False
    jobs: int | None = None
    use_cache: bool = True
    cache_dir: Path | None = None
    image: str | None = None  # scan this local Docker image's layers instead of a path
    deps: DepsOptions = field(default_factory=DepsOptions)


def build_scanners(families: Sequence[str], settings: ScanSettings) -> list[Scanner]:
    """Instantiate every scanner of the chosen families (each package lists its ``SCANNERS``)."""
    scanners: list[Scanner] = []
    for family in families or FAMILIES:
        if family not in FAMILIES:
            raise UsageError(f"--only: unknown scanner {family!r} (expected one of: {', '.join(FAMILIES)})")
        module = importlib.import_module(f"opskit.audit.{family}")
        scanners.extend(cls(settings) for cls in module.SCANNERS)
    return scanners


Items = Sequence[FileRef | SourceFile]


def _sources(request: AuditRequest) -> tuple[Iterable[Items], list[str], int | None]:
    """What to scan, in chunks (an image's layers come a chunk at a time, in bounded memory), the
    notes about what was skipped (an image's grow while its chunks are read), and the file count
    when known up front."""
    from opskit.audit import git

    if request.image:
        from opskit.audit.deps.manifests import parser_for
        from opskit.audit.image import image_source_chunks

        notes: list[str] = []
        chunks = image_source_chunks(request.image, request.selection, lambda p: parser_for(p) is not None, notes)
        return chunks, notes, None
    items: Items
    if request.target == "-":
        items, notes = [SourceFile(path="<stdin>", text=sys.stdin.read())], []
    elif request.staged:
        items, notes = git.staged_sources(Path(request.target), request.selection), []
    elif request.history:
        items, notes = git.history_sources(Path(request.target), request.selection, since=request.since), []
    else:
        refs, notes = discover_files(Path(request.target), request.selection)
        items, archive_notes = expand_archives(refs, request.selection.archive_depth, request.selection.max_size)
        notes += archive_notes
    return [items], notes, len(items)


def run_audit(request: AuditRequest, out: Output) -> Report:
    """Scan, then apply the baseline; a pure pipeline apart from reading files and the cache."""
    from opskit.audit import baseline as baselines
    from opskit.audit import suppress

    if request.staged and request.history:
        raise UsageError("--staged and --history cannot be combined")
    root = request.target if Path(request.target).is_dir() else str(Path(request.target).parent)
    settings = ScanSettings(show_secrets=request.show_secrets, root=root, extra={"deps": request.deps})
    scanners = build_scanners(request.only, settings)
    # Lockfiles are skipped for the other scanners, so the deps scanner gets its own pass over them.
    # (Image layers reach it in the main pass; history does not: see docs/audit-deps.md.)
    deps = [s for s in scanners if s.name == "deps"] if not request.image else []
    scanners = [s for s in scanners if s not in deps]
    chunks, notes, total = _sources(request) if scanners else ([], [], 0)
    cache = ResultCache(request.cache_dir or default_cache_dir(), root, salt=repr(settings))
    # Cached findings are stored as shown; with --show-secrets they hold secrets, so no cache then.
    use_cache = request.use_cache and not request.show_secrets
    entries = cache.load() if use_cache else {}
    outcome = RunOutcome()
    with progress("auditing", total=total, enabled=out.show_progress) as bar:
        for chunk in chunks:
            _merge_outcome(outcome, run_scanners(chunk, scanners, entries, jobs=request.jobs, on_progress=bar.advance))
    if use_cache and not (request.staged or request.history or request.target == "-" or request.image):
        cache.save(outcome.cache)
    for scanner in deps:
        _merge_outcome(outcome, _deps_pass(request, scanner, settings, use_cache))
    findings = merge_same_issue(_dedupe(outcome.findings))
    findings = suppress.apply_ignore_list(findings, suppress.load_ignore_file(Path(root)))
    notes.extend(outcome.notes)
    if request.write_baseline:
        baselines.write(request.write_baseline, findings)
        out.info(f"baseline with {len(findings)} entries written to {request.write_baseline}")
    if request.baseline:
        known = baselines.load(request.baseline)
        if request.report_stale:
            notes.extend(baselines.stale_notes(known, findings))
        findings = baselines.without_known(findings, known)
    out.detail(f"scanned {outcome.files_scanned} files, {outcome.bytes_scanned} bytes")
    return Report(
        command="audit",
        findings=sorted(findings, key=lambda f: (f.location.path, f.location.line or 0, f.rule_id)),
        notes=notes,
        data={"stats": {"files": outcome.files_scanned, "bytes": outcome.bytes_scanned}},
    )


def _deps_pass(request: AuditRequest, scanner: Scanner, settings: ScanSettings, use_cache: bool) -> RunOutcome:
    """Manifests and lockfiles through the deps scanner, cached while its offline data is unchanged."""
    if request.history or request.target == "-":
        asked = "deps" in request.only  # a plain history run should not repeat this note every time
        return RunOutcome(notes=["deps: not run on history or stdin (it reads manifests as files)"] * asked)
    if request.staged:  # the added lines of staged manifests and lockfiles, each read whole from the index
        from opskit.audit import git

        selection = replace(request.selection, keep_lock_files=True)
        staged = [s for s in git.staged_sources(Path(request.target), selection) if scanner.wants(s.path)]
        return run_scanners(staged, [scanner], {}, jobs=request.jobs)
    from opskit.audit.deps.discovery import manifest_sources

    items, notes = manifest_sources(Path(request.target), request.selection, scanner.wants)
    cache = ResultCache(request.cache_dir or default_cache_dir(), settings.root, salt=f"{settings!r}\0deps")
    cached = use_cache and not getattr(scanner, "online", True)
    outcome = run_scanners(items, [scanner], cache.load() if cached else {}, jobs=request.jobs)
    if cached:
        cache.save(outcome.cache)
    outcome.notes[:0] = notes
    return outcome


def _merge_outcome(outcome: RunOutcome, other: RunOutcome) -> None:
    outcome.cache.update(other.cache)
    outcome.findings.extend(other.findings)
    outcome.notes.extend(other.notes)
    outcome.files_scanned += other.files_scanned
    outcome.bytes_scanned += other.bytes_scanned


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per fingerprint and location (history scans see the same secret in many commits)."""
    seen: dict[tuple[str, str, int | None], Finding] = {}
    for finding in findings:
        seen.setdefault((finding.fingerprint, finding.location.path, finding.location.line), finding)
    return list(seen.values())


# CWEs that name the same weakness for merging: a hard-coded password (259) or key (321) is a
# hard-coded credential (798).
_SAME_WEAKNESS = {259: 798, 321: 798}


def _weakness(finding: Finding) -> int | None:
    """The finding's primary CWE, normalised; None when it has none."""
    return _SAME_WEAKNESS.get(finding.cwe[0], finding.cwe[0]) if finding.cwe else None


def merge_same_issue(findings: list[Finding]) -> list[Finding]:
    """One finding per issue: where different scanners report the same weakness (primary CWE) on
    the same line, keep the strongest and name the others in ``properties["also_reported_by"]``.

    Findings of one scanner are never merged (two secrets on one line are two findings).
    """
    kept: list[Finding] = []
    by_line: dict[tuple[str, int | None, str], list[int]] = {}
    strongest_first = sorted(findings, key=lambda f: (f.severity.rank, f.confidence.rank), reverse=True)
    for finding in strongest_first:
        scanner = finding.properties.get("scanner")
        key = (finding.location.path, finding.location.line, str(finding.properties.get("commit", "")))
        slots = by_line.setdefault(key, [])
        for slot in slots:
            other = kept[slot]
            weakness = _weakness(finding)
            if (
                scanner
                and other.properties.get("scanner") not in (None, scanner)
                and weakness is not None
                and weakness == _weakness(other)
            ):
                also = [*other.properties.get("also_reported_by", []), finding.rule_id]
                kept[slot] = replace(other, properties={**other.properties, "also_reported_by": also})
                break
        else:
            slots.append(len(kept))
            kept.append(finding)
    return kept
