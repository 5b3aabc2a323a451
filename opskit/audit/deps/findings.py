"""Findings from matched advisories and registry metadata: one finding per package and issue.

Records that name each other (PYSEC-2018-28, GHSA-x84v-xcm2-53pg and CVE-2018-18074) are one
issue and become one finding; the smallest upgrade that fixes every advisory of the package is
the same on each of its findings.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from opskit.audit.deps import severity as severities
from opskit.audit.deps.interface import Advisory, Package, ReleaseInfo, Vulnerability
from opskit.audit.deps.osv.matching import fixed_versions, matches, range_allows, smallest_fix, version_key
from opskit.core.findings import OWASP_2021, Confidence, Finding, Location, Severity, fingerprint

OWASP = (OWASP_2021["A06"],)
CWE_UNMAINTAINED = 1104  # Use of Unmaintained Third Party Components


def _preference(vuln_id: str) -> tuple[int, str]:
    """GHSA first, then PYSEC, then other databases, CVE last; ties by id."""
    for rank, prefix in ((0, "GHSA-"), (1, "PYSEC-"), (3, "CVE-")):
        if vuln_id.startswith(prefix):
            return rank, vuln_id
    return 2, vuln_id


def group_by_alias(advisories: Sequence[Advisory]) -> list[tuple[Advisory, ...]]:
    """Advisories that share an id or alias, transitively, as groups in a stable order."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for advisory in advisories:
        for alias in advisory.aliases:
            parent[find(alias)] = find(advisory.id)
    groups: dict[str, list[Advisory]] = {}
    for advisory in sorted(advisories, key=lambda a: a.id):
        groups.setdefault(find(advisory.id), []).append(advisory)
    return sorted((tuple(g) for g in groups.values()), key=lambda g: primary_id(g))


def all_ids(group: Sequence[Advisory]) -> list[str]:
    return sorted({i for a in group for i in (a.id, *a.aliases)}, key=_preference)


def primary_id(group: Sequence[Advisory]) -> str:
    """The id a finding is named by: GHSA, then PYSEC, then other databases, CVE last."""
    return min((a.id for a in group), key=_preference)


def vulnerabilities(package: Package, advisories: Sequence[Advisory], ignored: Collection[str]) -> list[Vulnerability]:
    """The package's issues among ``advisories`` (which name it; versions are matched here), ``ignored``
    ids (any alias) removed."""
    found = []
    for group in group_by_alias([a for a in advisories if matches(a, package)]):
        if any(i in ignored for i in all_ids(group)):
            continue
        fixed = sorted({v for a in group for v in fixed_versions(a, package)}, key=version_key(package.ecosystem))
        found.append(Vulnerability(package, group, tuple(fixed)))
    return found


def _severity(group: Sequence[Advisory]) -> tuple[Severity, float | None, str | None, str]:
    """(severity, score, vector, source): computed from the highest-scoring CVSS vector, else the
    database's own rating, else medium (an advisory without any rating is still a known vulnerability)."""
    scored = [(a.cvss_score, a.cvss_vector) for a in group if a.cvss_score is not None]
    if scored:
        score, vector = max(scored, key=lambda s: (s[0] or 0.0, s[1] or ""))
        return severities.from_score(score or 0.0), score, vector, "cvss"
    for advisory in group:
        rated = severities.from_database_rating(advisory.database_severity)
        if rated is not None:
            return rated, None, None, "database"
    return Severity.MEDIUM, None, None, "unrated"


def _where(package: Package, path: str, lines: Sequence[str] | None) -> Location:
    snippet = None
    if lines is not None and package.declared_in is None and package.line and 0 < package.line <= len(lines):
        snippet = lines[package.line - 1].strip()[:200]
    end_line = package.version_line if package.line and (package.version_line or 0) > package.line else None
    return Location(path=package.declared_in or path, line=package.line, end_line=end_line, snippet=snippet)


def _relation(package: Package) -> str:
    if package.direct is False and package.via:
        return f"transitive dependency via {', '.join(package.via)}"
    return {True: "direct dependency", False: "transitive dependency", None: "installed package"}[package.direct]


def vulnerability_finding(
    vuln: Vulnerability, upgrade: str | None, path: str, lines: Sequence[str] | None,
    origin: Mapping[str, str],
) -> Finding:
    package, group = vuln.package, vuln.advisories
    ident = primary_id(group)
    aliases = [i for i in all_ids(group) if i != ident]
    level, score, vector, source = _severity(group)
    summary = next((a.summary for a in sorted(group, key=lambda a: _preference(a.id)) if a.summary), "")
    fixed = ", ".join(vuln.fixed) or "no fixed version"
    allowed = range_allows(package.ecosystem, package.declared, upgrade) if upgrade else None
    advice = (f"upgrade to {upgrade} (fixes all its known advisories)" if upgrade
              else "no release fixes all its advisories")
    if allowed is not None:
        advice += (f"; the declared range {package.declared} allows it, so updating the lockfile is enough"
                   if allowed else f"; the declared range {package.declared} excludes it, so change the manifest")
    message = (f"{package.name} {package.version} ({_relation(package)}) is affected by {ident}"
               f"{' (' + ', '.join(aliases) + ')' if aliases else ''}: {summary or 'known vulnerability'}."
               f" Fixed in: {fixed}; {advice}.")
    return Finding(
        rule_id=ident,
        title=f"Vulnerable {package.ecosystem.value} package {package.name}: {summary or ident}"[:200],
        severity=level,
        message=message,
        location=_where(package, path, lines),
        fingerprint=fingerprint("deps", ident, package.declared_in or path, *package.key, package.version),
        confidence=Confidence.HIGH,
        cwe=tuple(sorted({c for a in group for c in a.cwe})),
        owasp=OWASP,
        help_uri=next((a.url for a in group if a.url), None) or f"https://osv.dev/vulnerability/{ident}",
        properties={
            "package": package.name, "version": package.version, "ecosystem": package.ecosystem.value,
            "direct": package.direct, "via": list(package.via), "advisory": ident, "aliases": aliases,
            "fixed_versions": list(vuln.fixed),
            "smallest_fix": upgrade, "declared_range": package.declared, "fix_in_declared_range": allowed,
            "cvss_score": score, "cvss_vector": vector, "severity_source": source,
            **dict(origin),
        },
    )


def package_findings(
    package: Package, advisories: Sequence[Advisory], ignored: Collection[str], path: str,
    lines: Sequence[str] | None, origin: Mapping[str, str],
) -> list[Finding]:
    vulns = vulnerabilities(package, advisories, ignored)
    if not vulns:
        return []
    upgrade = smallest_fix(package, [a for v in vulns for a in v.advisories])
    return [vulnerability_finding(v, upgrade, path, lines, origin) for v in vulns]


def _major(package: Package, version: str) -> int | None:
    parsed = version_key(package.ecosystem)(version)
    if parsed is None:
        return None
    return int(parsed.release[0]) if hasattr(parsed, "release") else int(parsed[0])


def release_findings(
    package: Package, info: ReleaseInfo, majors_behind: int, path: str, lines: Sequence[str] | None,
    origin: Mapping[str, str],
) -> list[Finding]:
    """Low-severity findings for a yanked, deprecated or far-outdated release."""
    found = []
    checks: list[tuple[str, str]] = []
    if info.yanked is not None:
        checks.append(("deps-yanked", f"{package.name} {package.version} was yanked from PyPI"
                       + (f": {info.yanked}" if info.yanked else "")))
    if info.deprecated is not None:
        checks.append(("deps-deprecated", f"{package.name} {package.version} is deprecated on npm: {info.deprecated}"))
    current, latest = _major(package, package.version), _major(package, info.latest) if info.latest else None
    if current is not None and latest is not None and latest - current > majors_behind:
        checks.append(("deps-outdated", f"{package.name} {package.version} is {latest - current} major versions"
                       f" behind the latest release {info.latest}"))
    for rule, message in checks:
        found.append(Finding(
            rule_id=rule,
            title={"deps-yanked": "Yanked release pinned", "deps-deprecated": "Deprecated release pinned",
                   "deps-outdated": "Release far behind the latest major version"}[rule],
            severity=Severity.LOW,
            message=f"{message} ({_relation(package)}).",
            location=_where(package, path, lines),
            fingerprint=fingerprint("deps", rule, package.declared_in or path, *package.key, package.version),
            confidence=Confidence.HIGH,
            cwe=(CWE_UNMAINTAINED,),
            owasp=OWASP,
            properties={"package": package.name, "version": package.version, "ecosystem": package.ecosystem.value,
                        "direct": package.direct, "latest": info.latest, **dict(origin)},
        ))
    return found
