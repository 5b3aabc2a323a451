"""``DepsScanner``: manifests and lockfiles in, vulnerable and outdated component findings out (OWASP A06)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from opskit.audit.cache import default_cache_dir
from opskit.audit.deps.findings import package_findings, release_findings
from opskit.audit.deps.interface import DepsOptions, Package, RegistryClient, ReleaseInfo, VulnSource
from opskit.audit.deps.manifests import Siblings, parser_for
from opskit.audit.interface import Scanner, ScanResult, ScanSettings, SourceFile
from opskit.core.errors import ServiceError
from opskit.core.findings import Finding


def default_index_dir() -> Path:
    return default_cache_dir().parent / "osv"


def open_source(options: DepsOptions, index_dir: Path | None = None) -> VulnSource:
    """The offline database when ``--vuln-db`` is given, else the OSV API."""
    if options.vuln_db:
        from opskit.audit.deps.osv.local import LocalDatabase

        return LocalDatabase(options.vuln_db, index_dir or default_index_dir())
    from opskit.audit.deps.osv.api import OsvApi

    return OsvApi(options.osv_api, timeout=options.timeout, retries=options.retries)


class DepsScanner(Scanner):
    """Python and npm dependencies in manifests, lockfiles and installed-package metadata."""

    name = "deps"

    def __init__(self, settings: ScanSettings) -> None:
        super().__init__(settings)
        self.options: DepsOptions = settings.extra.get("deps") or DepsOptions()
        self.source = open_source(self.options, settings.extra.get("osv_index_dir"))
        self.online = not self.options.vuln_db  # online answers change daily: never cached (see api)
        self.registry: RegistryClient | None = None
        if self.online:
            from opskit.audit.deps.registry import HttpRegistry

            self.registry = HttpRegistry(self.options.registries, timeout=self.options.timeout)

    def outside_inputs(self) -> str:
        """The OSV data: cached results are reused only while the offline export is unchanged."""
        return self.source.identity()

    def wants(self, path: str) -> bool:
        return parser_for(path) is not None

    def _siblings(self, source: SourceFile) -> Siblings:
        """Reads files next to the manifest from the work tree (not for image layers or git history)."""
        folder = os.path.dirname(source.path)
        bases = [] if source.origin else [Path(self.settings.root, folder)]

        def read(relative: str) -> str | None:
            for base in bases:
                candidate = base / relative
                if candidate.is_file():
                    try:
                        return candidate.read_text(encoding="utf-8", errors="replace")
                    except OSError:
                        return None
            return None

        return read

    def scan(self, files: Sequence[SourceFile]) -> ScanResult:
        notes: list[str] = []
        parsed: list[tuple[SourceFile, Sequence[Package]]] = []
        for source in files:
            parser = parser_for(source.path)
            if parser is None or source.origin.get("removed_later"):
                continue  # a package a later image layer replaced or deleted is not installed
            result = parser(source.text, source.path, self._siblings(source))
            notes.extend(result.notes)
            if result.packages:
                parsed.append((source, result.packages))
        packages = [p for _, group in parsed for p in group]
        if not packages:
            return ScanResult(notes=notes)
        advisories = self.source.advisories(packages)
        releases: Mapping[Package, ReleaseInfo | None] = {}
        if self.registry is not None:
            try:
                releases = self.registry.releases(packages)
            except ServiceError as exc:
                notes.append(f"{parsed[0][0].path}: outdated, yanked and deprecated checks skipped: {exc.message}")
        findings: list[Finding] = []
        for source, group in parsed:
            lines = source.text.splitlines()
            for package in group:
                findings.extend(package_findings(package, advisories.get(package.key, ()), self.options.ignore_vulns,
                                                 source.path, lines, source.origin))
                info = releases.get(package)
                if info is not None:
                    findings.extend(release_findings(package, info, self.options.outdated_majors, source.path,
                                                     lines, source.origin))
        return ScanResult(findings=findings, notes=notes)
