"""Bun's text lockfile ``bun.lock`` (Bun 1.2+): JSON with trailing commas.

Each entry under ``packages`` is ``"path": ["name@version", registry, {dependencies...}, integrity]``;
a path with ``/`` is a nested copy (``mkdirp/minimist``). The root workspace (``workspaces[""]``)
declares the direct dependencies. The binary ``bun.lockb`` of older Bun is not read.
"""

from __future__ import annotations

import re
from typing import Any

from opskit.audit.deps.interface import Ecosystem, Package, ParsedManifest
from opskit.audit.deps.manifests import Siblings, load_json, with_via
from opskit.audit.deps.manifests.jsonlines import key_lines
from opskit.audit.deps.manifests.npm import declared_ranges

# A string, or a comma before a closing bracket: strings are kept whole, so a "," inside one stays.
_TRAILING_COMMA = re.compile(r'("(?:[^"\\\n]|\\.)*")|,(\s*[}\]])')


def strict_json(text: str) -> str:
    """Bun's JSON with its trailing commas removed, in one linear pass; line breaks are kept."""
    return _TRAILING_COMMA.sub(lambda m: m.group(1) or m.group(2), text)


def parse_bun_lock(text: str, path: str, siblings: Siblings) -> ParsedManifest:
    strict = strict_json(text)
    doc, error = load_json(strict, path)
    if doc is None:
        return ParsedManifest(notes=(error or "",))
    lines = key_lines(strict)
    root = (doc.get("workspaces") or {}).get("") or {}
    direct = declared_ranges(root) if isinstance(root, dict) else {}
    packages: list[Package] = []
    graph: dict[str, set[str]] = {}
    for key, entry in sorted((doc.get("packages") or {}).items()):
        resolved = _resolution(entry)
        if resolved is None:
            continue
        name, version = resolved
        top_level = key == name
        is_direct = top_level and name in direct
        packages.append(Package(Ecosystem.NPM, name, version, lines.get(("packages", key)), is_direct,
                                declared=direct.get(name) if is_direct else None))
        meta = entry[2] if len(entry) > 2 and isinstance(entry[2], dict) else {}
        graph.setdefault(name.lower(), set()).update(n.lower() for n in declared_ranges(meta))
    return ParsedManifest(with_via(packages, graph))


def _resolution(entry: Any) -> tuple[str, str] | None:
    """``(name, version)`` of a registry package; None for workspace, git, file and link entries."""
    if not isinstance(entry, list) or not entry or not isinstance(entry[0], str):
        return None
    name, _, version = entry[0].rpartition("@")
    if not name or not version[:1].isdigit():
        return None
    return name, version
