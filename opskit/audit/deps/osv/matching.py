"""Whether a version is affected by an advisory, by each ecosystem's ordering rules.

PyPI versions compare by PEP 440 (``packaging``); npm versions by semver precedence, parsed by
``nodesemver`` (a maintained port of npm's own ``node-semver``). OSV ranges are evaluated as the
schema specifies: events sorted by version; the last event at or below the version decides.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from opskit.audit.deps.interface import (
    Advisory,
    Affected,
    AffectedRange,
    Ecosystem,
    Package,
    RangeKind,
    normalize_name,
)

Key = Callable[[str], Any]


@functools.lru_cache(maxsize=1 << 16)
def pep440_key(version: str) -> Any:
    """A PEP 440 ``Version`` (totally ordered), or None when the string is not one."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version)
    except InvalidVersion:
        return None


@functools.lru_cache(maxsize=1 << 16)
def semver_key(version: str) -> tuple[Any, ...] | None:
    """A tuple ordered like semver precedence: a pre-release sorts before its release, numeric
    identifiers before alphanumeric ones; None when the string is not a (loose) semver version."""
    import nodesemver

    try:
        parsed = nodesemver.make_semver(version, True)
    except (ValueError, TypeError):
        return None
    pre = tuple((0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in parsed.prerelease)
    return (parsed.major, parsed.minor, parsed.patch, 0 if pre else 1, pre)


def version_key(ecosystem: Ecosystem) -> Key:
    return pep440_key if ecosystem is Ecosystem.PYPI else semver_key


@functools.lru_cache(maxsize=1 << 16)
def _sorted_events(rng: AffectedRange, ecosystem: Ecosystem) -> tuple[tuple[str, Any], ...]:
    """(kind, parsed version or None for introduced "0") in version order, parsed once per range."""
    key = version_key(ecosystem)
    zero = [(e.kind, None) for e in rng.events if e.kind == "introduced" and e.version == "0"]
    parsed = [(e.kind, k) for e in rng.events
              if not (e.kind == "introduced" and e.version == "0") and (k := key(e.version)) is not None]
    return tuple(zero + sorted(parsed, key=lambda item: item[1]))


def _in_range(version: Any, rng: AffectedRange, ecosystem: Ecosystem) -> bool:
    affected = False
    for kind, at in _sorted_events(rng, ecosystem):
        if at is None or (kind == "introduced" and version >= at):
            affected = True
        elif (kind == "fixed" and version >= at) or (kind == "last_affected" and version > at):
            affected = False
        elif kind == "limit" and version >= at:
            return False
    return affected


def entries_for(advisory: Advisory, package: Package) -> list[Affected]:
    """The advisory's ``affected[]`` entries that name this package."""
    ecosystem, name = package.key
    return [a for a in advisory.affected
            if a.ecosystem == ecosystem.value and normalize_name(ecosystem, a.name) == name]


def _covering_ranges(entry: Affected, package: Package) -> list[AffectedRange]:
    key = version_key(package.ecosystem)
    version = key(package.version)
    if version is None:
        return []
    return [r for r in entry.ranges if r.kind is not RangeKind.GIT and _in_range(version, r, package.ecosystem)]


def affects(entry: Affected, package: Package) -> bool:
    """Whether one ``affected[]`` entry covers the package's version (explicit list or a range)."""
    if package.version in entry.versions:
        return True
    key = version_key(package.ecosystem)
    version = key(package.version)
    if version is None:
        return False
    # Ranges first: cheap, and they cover the listed versions in practice; then the list under the
    # ecosystem's equality ("0.9" is "0.9.0" in PEP 440).
    return bool(_covering_ranges(entry, package)) or version in _canonical(package.ecosystem, entry.versions)


@functools.lru_cache(maxsize=1 << 14)
def _canonical(ecosystem: Ecosystem, versions: frozenset[str]) -> frozenset[Any]:
    """A record's version list parsed once, for lookups under the ecosystem's equality."""
    key = version_key(ecosystem)
    return frozenset(k for k in map(key, versions) if k is not None)


def matches(advisory: Advisory, package: Package) -> bool:
    return not advisory.withdrawn and any(affects(e, package) for e in entries_for(advisory, package))


def sort_versions(ecosystem: Ecosystem, versions: Iterable[str]) -> list[str]:
    """Valid versions in ascending order (invalid ones dropped)."""
    key = version_key(ecosystem)
    return [v for k, v in sorted((key(v), v) for v in set(versions) if key(v) is not None)]


def fixed_versions(advisory: Advisory, package: Package) -> list[str]:
    """The ``fixed`` events of the ranges that cover the package's version, ascending."""
    fixed = {e.version for entry in entries_for(advisory, package)
             for rng in _covering_ranges(entry, package) for e in rng.events if e.kind == "fixed"}
    return sort_versions(package.ecosystem, fixed)


def smallest_fix(package: Package, advisories: Sequence[Advisory]) -> str | None:
    """The lowest fixed version that no advisory of the package affects; None when there is none."""
    for version in sort_versions(package.ecosystem, (v for a in advisories for v in fixed_versions(a, package))):
        upgraded = Package(package.ecosystem, package.name, version)
        if not any(matches(a, upgraded) for a in advisories):
            return version
    return None


def range_allows(ecosystem: Ecosystem, declared: str | None, version: str) -> bool | None:
    """Whether a manifest's declared range admits ``version`` (PEP 440 specifiers; npm ranges by
    ``nodesemver``); None when there is no range or it cannot be read (a git URL, an alias)."""
    if not declared:
        return None
    if ecosystem is Ecosystem.PYPI:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        try:
            return SpecifierSet(declared).contains(version, prereleases=True)
        except InvalidSpecifier:
            return None
    import nodesemver

    try:
        if nodesemver.make_range(declared, True) is None:
            return None
        return bool(nodesemver.satisfies(version, declared, True))
    except (ValueError, TypeError):
        return None
