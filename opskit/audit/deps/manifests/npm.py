"""npm's ``package-lock.json`` (lockfile v1, v2, v3), ``npm-shrinkwrap.json`` and bare ``package.json`` pins."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opskit.audit.deps.interface import Ecosystem, Package, ParsedManifest
from opskit.audit.deps.manifests import Siblings, load_json, with_via
from opskit.audit.deps.manifests.jsonlines import key_lines

DEPENDENCY_FIELDS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")
LOCKFILES = ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock")


def declared_ranges(manifest: Mapping[str, Any]) -> dict[str, str]:
    """Name -> declared range of what a package.json (or a lock's root entry) depends on directly."""
    return {name: str(spec) for field in reversed(DEPENDENCY_FIELDS)
            for name, spec in (manifest.get(field) or {}).items()}


def package_json_ranges(siblings: Siblings) -> dict[str, str] | None:
    """Direct dependencies declared in the ``package.json`` beside a lockfile, None without one."""
    text = siblings("package.json")
    doc = load_json(text, "package.json")[0] if text is not None else None
    return declared_ranges(doc) if doc is not None else None


def parse_package_lock(text: str, path: str, siblings: Siblings) -> ParsedManifest:
    doc, error = load_json(text, path)
    if doc is None:
        return ParsedManifest(notes=(error or "",))
    lines = key_lines(text)
    graph: dict[str, set[str]] = {}  # name -> names it depends on
    if isinstance(doc.get("packages"), dict):  # lockfile v2 and v3
        entries = doc["packages"]
        root = entries.get("") or {}
        direct = declared_ranges(root) if root else package_json_ranges(siblings)
        packages = []
        for key, entry in sorted(entries.items()):
            if not key or not isinstance(entry, dict) or entry.get("link") or "version" not in entry:
                continue
            if "node_modules/" not in key:
                continue  # a workspace folder, listed again as a link under node_modules
            name = str(entry.get("name") or key.rsplit("node_modules/", 1)[-1])
            top_level = key.count("node_modules/") == 1 and key.startswith("node_modules/")
            is_direct = None if direct is None else top_level and name in direct
            packages.append(Package(Ecosystem.NPM, name, str(entry["version"]), lines.get(("packages", key)),
                                    is_direct, declared=direct.get(name) if is_direct and direct else None,
                                    version_line=lines.get(("packages", key, "version"))))
            graph.setdefault(name.lower(), set()).update(n.lower() for n in declared_ranges(entry))
        return ParsedManifest(with_via(packages, graph))
    direct = package_json_ranges(siblings)
    found: list[Package] = []
    _walk_v1(doc.get("dependencies") or {}, ("dependencies",), lines, direct, found, graph)
    return ParsedManifest(with_via(sorted(found, key=lambda p: p.line or 0), graph))


def _walk_v1(
    deps: Mapping[str, Any], prefix: tuple[str, ...], lines: Mapping[tuple[str, ...], int],
    direct: Mapping[str, str] | None, found: list[Package], graph: dict[str, set[str]],
) -> None:
    """Lockfile v1 nests ``dependencies`` where a package needs its own copy; walked iteratively-deep."""
    stack = [(deps, prefix)]
    while stack:
        table, at = stack.pop()
        for name, entry in table.items():
            if not isinstance(entry, dict) or "version" not in entry:
                continue
            version = str(entry["version"])
            if not version[:1].isdigit():
                continue  # git, file: and link: sources
            is_direct = None if direct is None else len(at) == 1 and name in direct
            found.append(Package(Ecosystem.NPM, name, version, lines.get((*at, name)), is_direct,
                                 declared=direct.get(name) if is_direct and direct else None,
                                 version_line=lines.get((*at, name, "version"))))
            graph.setdefault(name.lower(), set()).update(n.lower() for n in entry.get("requires") or {})
            if isinstance(entry.get("dependencies"), dict):
                stack.append((entry["dependencies"], (*at, name, "dependencies")))


def parse_package_json(text: str, path: str, siblings: Siblings) -> ParsedManifest:
    """Exact versions in a package.json without a lockfile beside it (with one, the lock is read)."""
    if any(siblings(name) is not None for name in LOCKFILES):
        return ParsedManifest()
    doc, error = load_json(text, path)
    if doc is None:
        return ParsedManifest(notes=(error or "",))
    import nodesemver

    lines = key_lines(text)
    packages = []
    for field in DEPENDENCY_FIELDS[:3]:
        for name, spec in sorted((doc.get(field) or {}).items()):
            exact = nodesemver.valid(str(spec), True) if isinstance(spec, str) else None
            if exact:
                packages.append(Package(Ecosystem.NPM, name, str(exact.version), lines.get((field, name)), True,
                                        declared=spec))
    return ParsedManifest(tuple(packages))
