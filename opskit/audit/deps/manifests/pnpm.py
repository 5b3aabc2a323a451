"""``pnpm-lock.yaml`` (lockfile 5.x, 6.x and 9.x): package keys under ``packages:``, importers for direct deps."""

from __future__ import annotations

import re
from typing import Any

import yaml

from opskit.audit.deps.interface import Ecosystem, Package, ParsedManifest
from opskit.audit.deps.manifests import Siblings, with_via

_KEY = re.compile(r"^  (['\"]?)(/?[^'\":]+)\1:")
_IMPORTER_FIELDS = ("dependencies", "devDependencies", "optionalDependencies")


def _split_key(key: str) -> tuple[str, str] | None:
    """('lodash', '4.17.15') from 'lodash@4.17.15', '/lodash@4.17.15(peer@1.0.0)' or v5's '/lodash/4.17.15'."""
    key = key.lstrip("/").split("(", 1)[0]
    at = key.rfind("@")
    if at > 0:
        return key[:at], key[at + 1:]
    if "/" in key:  # lockfile 5: name/version, with a peer suffix after "_"
        name, version = key.rsplit("/", 1)
        return name, version.split("_", 1)[0]
    return None


def _importer_ranges(doc: Any) -> dict[str, str] | None:
    """Direct dependencies of every importer: name -> declared range (``specifier``)."""
    if not isinstance(doc, dict):
        return None
    importers = doc.get("importers")
    tables = list(importers.values()) if isinstance(importers, dict) else [doc]  # v5 single project: top level
    ranges: dict[str, str] = {}
    for table in tables:
        if not isinstance(table, dict):
            continue
        specifiers = table.get("specifiers") or {}  # lockfile 5
        for field in _IMPORTER_FIELDS:
            for name, entry in (table.get(field) or {}).items():
                spec = entry.get("specifier") if isinstance(entry, dict) else specifiers.get(name)
                ranges[name] = str(spec if spec is not None else "")
    return ranges


def parse_pnpm_lock(text: str, path: str, siblings: Siblings) -> ParsedManifest:
    try:
        doc = yaml.safe_load(text)
    except RecursionError:
        return ParsedManifest(notes=(f"{path}: nesting too deep",))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        return ParsedManifest(notes=(f"{path}{where}: invalid YAML",))
    direct = _importer_ranges(doc)
    packages = []
    in_packages = False
    for number, raw in enumerate(text.splitlines(), 1):
        if raw and not raw[0].isspace():
            in_packages = raw.rstrip() == "packages:"
            continue
        match = _KEY.match(raw) if in_packages else None
        split = _split_key(match.group(2)) if match else None
        if split is None or not split[1][:1].isdigit():
            continue
        name, version = split
        packages.append(Package(Ecosystem.NPM, name, version, number, None if direct is None else name in direct,
                                declared=(direct or {}).get(name) or None))
    return ParsedManifest(with_via(packages, _graph(doc)))


def _graph(doc: Any) -> dict[str, set[str]]:
    """Name -> dependency names, from ``snapshots`` (lockfile 9) or ``packages`` (5 and 6)."""
    graph: dict[str, set[str]] = {}
    for section in ("snapshots", "packages"):
        table = doc.get(section) if isinstance(doc, dict) else None
        for key, entry in (table or {}).items():
            split = _split_key(str(key))
            if split is not None and isinstance(entry, dict):
                names = {n.lower() for f in ("dependencies", "optionalDependencies") for n in entry.get(f) or {}}
                graph.setdefault(split[0].lower(), set()).update(names)
    return graph
