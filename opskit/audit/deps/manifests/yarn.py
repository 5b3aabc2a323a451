"""``yarn.lock``, both formats: v1 (yarn classic's own syntax) and berry (YAML, ``__metadata``).

Read line by line: an unindented header lists the specifiers an entry resolves
(``"lodash@^4.17.4", lodash@^4.17.15:`` or ``"lodash@npm:4.17.15":``), the indented
``version`` line gives the version. Berry's workspace entries tell which packages are direct.
"""

from __future__ import annotations

import re
from dataclasses import replace

from opskit.audit.deps.interface import Ecosystem, Package, ParsedManifest
from opskit.audit.deps.manifests import Siblings, with_via
from opskit.audit.deps.manifests.npm import package_json_ranges

_VERSION = re.compile(r'^\s{2}version:?\s+"?([^"\s]+)"?\s*$')
_DEPENDENCY = re.compile(r'^\s{4}"?((?:@[^/"\s]+/)?[^@"\s:]+)"?:?\s+"?(?:npm:)?([^"]*)"?\s*$')
_SKIPPED_PROTOCOLS = ("workspace:", "patch:", "portal:", "link:", "file:", "exec:", "git", "http")


def _name(specifier: str) -> tuple[str, str]:
    """('lodash', 'npm:^4.17.15') from 'lodash@npm:^4.17.15'; scoped names keep their leading '@'.

    An alias ('string-width-cjs@npm:string-width@^4.2.0') resolves to the package it names."""
    at = specifier.find("@", 1)
    if at < 0:
        return specifier, ""
    name, rng = specifier[:at], specifier[at + 1:]
    target = rng.removeprefix("npm:")
    alias_at = target.find("@", 1)
    if rng.startswith("npm:") and alias_at > 0:
        return target[:alias_at], f"npm:{target[alias_at + 1:]}"
    return name, rng


def parse_yarn_lock(text: str, path: str, siblings: Siblings) -> ParsedManifest:
    berry = "__metadata:" in text
    packages: list[Package] = []
    workspace_deps: dict[str, str] = {}
    graph: dict[str, set[str]] = {}
    header: tuple[str, int] | None = None
    entry = ""  # the package whose block the current line is in
    in_workspace = in_deps = False
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if not raw[0].isspace():
            header = None
            in_workspace = in_deps = False
            if raw.endswith(":") and not raw.startswith("__metadata"):
                first = raw[:-1].split(", ")[0].strip().strip('"')
                name, rng = _name(first)
                in_workspace, entry = "@workspace:" in first, name.lower()
                if not rng.startswith(_SKIPPED_PROTOCOLS):
                    header = (name, number)
            continue
        if raw.startswith("  ") and not raw.startswith("    "):
            in_deps = raw.strip() in ("dependencies:", "devDependencies:", "optionalDependencies:")
        elif in_deps and (dep := _DEPENDENCY.match(raw)):
            if in_workspace:
                workspace_deps[dep.group(1)] = dep.group(2)
            else:
                graph.setdefault(entry, set()).add(dep.group(1).lower())
        if in_workspace:
            continue
        version = _VERSION.match(raw)
        if version and header is not None:
            packages.append(Package(Ecosystem.NPM, header[0], version.group(1), header[1], version_line=number))
            header = None
    direct = workspace_deps if berry and workspace_deps else package_json_ranges(siblings)
    if direct is not None:
        packages = [replace(p, direct=p.name in direct, declared=direct.get(p.name)) for p in packages]
    return ParsedManifest(with_via(packages, graph))
