"""TOML manifests and locks: ``pyproject.toml`` (PEP 621 and Poetry), ``poetry.lock``, ``uv.lock``,
``pdm.lock`` and PEP 751's ``pylock.toml`` (``pip lock``).

The locks share one shape (``[[package]]`` tables, ``[[packages]]`` in PEP 751, with ``name`` and
``version``); which packages are direct comes from ``uv.lock``'s root package or, for the others,
from the ``pyproject.toml`` beside the lock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from opskit.audit.deps.interface import Ecosystem, Package, ParsedManifest
from opskit.audit.deps.manifests import Siblings, load_toml, with_via

_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*$")
_KEY = re.compile(r'^\s*(name|version)\s*=\s*"([^"]*)"')
LOCKS = ("poetry.lock", "uv.lock", "pdm.lock", "pylock.toml")
PYLOCK = re.compile(r"^pylock\.(?:[^.]+\.)?toml$")  # PEP 751: pylock.toml or pylock.<name>.toml
_PACKAGE_TABLES = frozenset({"[[package]]", "[[packages]]"})
_POETRY_PIN = re.compile(r"^={0,2}\s*(\d[^,<>=!~^*\s]*)$")


def _requirement_ranges(specs: Iterable[Any]) -> dict[str, str]:
    ranges: dict[str, str] = {}
    for spec in specs:
        try:
            requirement = Requirement(str(spec))
        except InvalidRequirement:
            continue
        ranges[canonicalize_name(requirement.name)] = str(requirement.specifier)
    return ranges


def direct_ranges(doc: Mapping[str, Any]) -> dict[str, str]:
    """Canonical name -> PEP 440 range of what a pyproject declares: PEP 621 (with extras and groups),
    PDM dev groups, and Poetry (names only: its ``^``/``~`` syntax is not PEP 440)."""
    project = doc.get("project") or {}
    dependency_groups = (doc.get("dependency-groups") or {}).values()
    groups = [project.get("dependencies") or (), *(project.get("optional-dependencies") or {}).values(),
              *((g for g in group or () if isinstance(g, str)) for group in dependency_groups),
              *(((doc.get("tool") or {}).get("pdm") or {}).get("dev-dependencies") or {}).values()]
    ranges: dict[str, str] = {}
    poetry = (doc.get("tool") or {}).get("poetry") or {}
    tables = [poetry.get("dependencies") or {}, poetry.get("dev-dependencies") or {}]
    tables += [(g or {}).get("dependencies") or {} for g in (poetry.get("group") or {}).values()]
    for table in tables:
        ranges.update({canonicalize_name(n): "" for n in table if n.lower() != "python"})
    for group in groups:
        ranges.update(_requirement_ranges(group or ()))
    return ranges


def _declaration_line(text: str, name: str) -> int | None:
    """Line of the first ``"name==..."`` string or ``name = ...`` key naming the package."""
    pattern = re.compile(rf"""(^|["'\s]){re.escape(name)}\s*(\[|[=<>!~;]|["']|$)""", re.IGNORECASE | re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def parse_pyproject(text: str, path: str, siblings: Siblings) -> ParsedManifest:
    """Exact pins declared in a pyproject without a lock beside it (with one, the lock is read)."""
    if any(siblings(lock) is not None for lock in LOCKS):
        return ParsedManifest()
    doc, error = load_toml(text, path)
    if doc is None:
        return ParsedManifest(notes=(error or "",))
    pins: dict[str, str] = {}
    project = doc.get("project") or {}
    specs = list(project.get("dependencies") or ())
    for extra in (project.get("optional-dependencies") or {}).values():
        specs.extend(extra or ())
    for spec in specs:
        try:
            requirement = Requirement(str(spec))
        except InvalidRequirement:
            continue
        exact = [s.version for s in requirement.specifier if s.operator in ("==", "===") and "*" not in s.version]
        if len(exact) == 1:
            pins[requirement.name] = exact[0]
    poetry_deps = ((doc.get("tool") or {}).get("poetry") or {}).get("dependencies") or {}
    for name, value in poetry_deps.items():
        version = value.get("version") if isinstance(value, dict) else value
        match = _POETRY_PIN.match(str(version or "").strip())
        if name.lower() != "python" and match:
            pins[name] = match.group(1)
    packages = tuple(Package(Ecosystem.PYPI, name, version, _declaration_line(text, name), True,
                             declared=f"=={version}") for name, version in sorted(pins.items()))
    return ParsedManifest(packages)


def _package_lines(text: str) -> dict[tuple[str, str], tuple[int, int]]:
    """(canonical name, version) -> lines of ``name =`` and ``version =`` in each ``[[package]]`` table."""
    found: dict[tuple[str, str], tuple[int, int]] = {}
    in_package = False
    name: tuple[str, int] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        table = _TABLE.match(raw)
        if table:
            in_package = raw.strip() in _PACKAGE_TABLES
            name = None
            continue
        key = _KEY.match(raw) if in_package else None
        if key and key.group(1) == "name":
            name = (canonicalize_name(key.group(2)), number)
        elif key and name is not None:
            found.setdefault((name[0], key.group(2)), (name[1], number))
    return found


def parse_toml_lock(text: str, path: str, siblings: Siblings) -> ParsedManifest:
    doc, error = load_toml(text, path)
    if doc is None:
        return ParsedManifest(notes=(error or "",))
    listed = doc.get("package") or doc.get("packages") or ()
    entries = [p for p in listed if isinstance(p, dict) and p.get("name") and p.get("version")]
    roots = [p for p in entries if (p.get("source") or {}).keys() & {"virtual", "editable", "directory"}]
    manifest = siblings("pyproject.toml")
    manifest_doc = load_toml(manifest, "pyproject.toml")[0] if manifest is not None else None
    direct = direct_ranges(manifest_doc) if manifest_doc is not None else None
    if roots:  # uv.lock: the project itself is a package whose dependencies are the direct ones
        names = {canonicalize_name(d["name"]) for r in roots for d in _dependency_entries(r)}
        direct = {name: (direct or {}).get(name, "") for name in names}
    lines = _package_lines(text)
    packages = []
    graph: dict[str, set[str]] = {}
    for entry in entries:
        if entry in roots:
            continue
        name, version = str(entry["name"]), str(entry["version"])
        key = canonicalize_name(name)
        name_line, version_line = lines.get((key, version), (None, None))
        packages.append(Package(Ecosystem.PYPI, name, version, name_line, None if direct is None else key in direct,
                                declared=(direct or {}).get(key) or None, version_line=version_line))
        graph.setdefault(key, set()).update(_dependency_names(entry))
    return ParsedManifest(with_via(packages, graph))


def _dependency_names(package: Mapping[str, Any]) -> set[str]:
    """What one lock entry depends on: uv's tables, Poetry's name table, PDM's requirement strings."""
    raw = package.get("dependencies") or ()
    if isinstance(raw, Mapping):  # poetry.lock: [package.dependencies] name = "spec"
        return {canonicalize_name(n) for n in raw}
    names: set[str] = {canonicalize_name(str(d["name"])) for d in raw if isinstance(d, Mapping) and "name" in d}
    return names | _requirement_ranges(d for d in raw if isinstance(d, str)).keys()


def _dependency_entries(package: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    entries: list[Mapping[str, Any]] = [
        d for d in package.get("dependencies") or () if isinstance(d, dict) and "name" in d]
    for group in (package.get("optional-dependencies") or {}).values():
        entries.extend(d for d in group or () if isinstance(d, dict) and "name" in d)
    for group in (package.get("dev-dependencies") or {}).values():
        entries.extend(d for d in group or () if isinstance(d, dict) and "name" in d)
    return entries
