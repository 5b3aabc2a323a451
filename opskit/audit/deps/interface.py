"""The deps scanner's contracts: packages read from manifests, OSV advisories, and their sources."""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple


class Ecosystem(StrEnum):
    """OSV ecosystem names (the strings OSV records and the API use)."""

    PYPI = "PyPI"
    NPM = "npm"


@functools.lru_cache(maxsize=1 << 16)
def normalize_name(ecosystem: Ecosystem, name: str) -> str:
    """The name OSV records are looked up by: PEP 503 for PyPI, npm names as written (lowercase)."""
    if ecosystem is Ecosystem.PYPI:
        from packaging.utils import canonicalize_name

        return str(canonicalize_name(name))
    return name.lower()


@dataclass(frozen=True)
class Package:
    """One resolved package in a manifest, lockfile or image layer."""

    ecosystem: Ecosystem
    name: str
    version: str
    line: int | None = None  # 1-based line in the file it was read from
    direct: bool | None = None  # None where the file cannot tell (installed packages in an image)
    declared_in: str | None = None  # another file it was read from (a ``-r`` include), else the scanned one
    declared: str | None = None  # a direct dependency's range in its manifest ("^4.17.15", ">=2,<3")
    via: tuple[str, ...] = ()  # for a transitive dependency: the direct dependencies that pull it in
    version_line: int | None = None  # a lockfile entry's version line, when not ``line`` itself

    @property
    def key(self) -> tuple[Ecosystem, str]:
        return self.ecosystem, normalize_name(self.ecosystem, self.name)


@dataclass(frozen=True)
class ParsedManifest:
    """What a manifest parser returns: packages with exact versions, and one-line notes."""

    packages: tuple[Package, ...] = ()
    notes: tuple[str, ...] = ()


class RangeKind(StrEnum):
    ECOSYSTEM = "ECOSYSTEM"
    SEMVER = "SEMVER"
    GIT = "GIT"


class Event(NamedTuple):
    """One OSV range event: ``introduced``, ``fixed``, ``last_affected`` or ``limit`` at a version.

    A named tuple, not a dataclass: an export holds hundreds of thousands and building them is hot.
    """

    kind: str
    version: str


class AffectedRange(NamedTuple):
    kind: RangeKind
    events: tuple[Event, ...]


@dataclass(frozen=True)
class Affected:
    """One ``affected[]`` entry of an OSV record: a package, its ranges and explicit versions."""

    ecosystem: str
    name: str
    ranges: tuple[AffectedRange, ...] = ()
    versions: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Advisory:
    """An OSV record, reduced to what findings need; the score is computed from the CVSS vector."""

    id: str
    aliases: tuple[str, ...] = ()
    summary: str = ""
    modified: str = ""
    cwe: tuple[int, ...] = ()
    cvss_vector: str | None = None
    cvss_score: float | None = None
    database_severity: str | None = None  # e.g. GHSA's "HIGH", used only without a vector
    affected: tuple[Affected, ...] = ()
    url: str | None = None
    withdrawn: bool = False


@dataclass(frozen=True)
class Vulnerability:
    """One package hit by one or more advisories that are the same issue (merged by alias)."""

    package: Package
    advisories: tuple[Advisory, ...]
    fixed: tuple[str, ...]  # versions that fix it, ascending


@dataclass(frozen=True)
class ReleaseInfo:
    """Registry metadata for one package version: latest release, yanked (PyPI), deprecated (npm)."""

    latest: str | None = None
    yanked: str | None = None  # the reason, "" when none was given; None when not yanked
    deprecated: str | None = None


class VulnSource(ABC):
    """Where advisories come from: an OSV export on disk or the OSV API."""

    @abstractmethod
    def advisories(self, packages: Sequence[Package]) -> Mapping[tuple[Ecosystem, str], Sequence[Advisory]]:
        """Advisories that name each package (by key); the caller matches versions itself."""

    @abstractmethod
    def identity(self) -> str:
        """Changes whenever the data may have changed (part of the audit cache key)."""


class RegistryClient(ABC):
    """Package registry metadata (PyPI JSON API, npm registry documents)."""

    @abstractmethod
    def releases(self, packages: Sequence[Package]) -> Mapping[Package, ReleaseInfo | None]:
        """Metadata of each package's version; None where the registry does not know the package."""


@dataclass(frozen=True)
class DepsOptions:
    """The deps scanner's settings (from ``ScanSettings.extra["deps"]``)."""

    vuln_db: str | None = None  # offline OSV data; None means the OSV API
    osv_api: str = "https://api.osv.dev"
    ignore_vulns: tuple[str, ...] = ()  # sorted, so the settings repr (a cache salt) is stable
    outdated_majors: int = 2
    registries: Mapping[Ecosystem, str] = field(default_factory=dict, hash=False)
    timeout: float = 10.0
    retries: int = 2
