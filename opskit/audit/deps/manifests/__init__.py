"""Manifest and lockfile readers, one module per family; ``parser_for`` picks one by file name."""

from __future__ import annotations

import json
import re
import tomllib
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from opskit.audit.deps.interface import Package, ParsedManifest

Siblings = Callable[[str], str | None]  # text of a file next to the manifest (or relative to it), or None
Parser = Callable[[str, str, Siblings], ParsedManifest]

_REQUIREMENTS = re.compile(r"(^|.*[-_.])requirements([-_.][^/]*)?\.txt$|^requirements/[^/]+\.txt$")
_DIST_INFO = re.compile(r"(^|/)[^/]+\.dist-info/METADATA$")
_INSIDE_INSTALLED = re.compile(r"(^|/)(node_modules|site-packages|dist-packages)/")
_NODE_MODULE = re.compile(r"(^|/)node_modules/(@[^/]+/)?[^/@][^/]*/package\.json$")


def load_json(text: str, path: str) -> tuple[dict[str, Any] | None, str | None]:
    """(document, None) for a JSON object, else (None, a one-line note naming the file)."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return None, f"{path}: invalid JSON: {exc}"
    return (doc, None) if isinstance(doc, dict) else (None, f"{path}: not a JSON object")


def load_toml(text: str, path: str) -> tuple[dict[str, Any] | None, str | None]:
    try:
        return tomllib.loads(text), None
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        return None, f"{path}: invalid TOML: {exc}"


VIA_LIMIT = 3  # direct dependencies named per transitive package: enough to act on, and keeps the walk linear


def with_via(packages: Iterable[Package], graph: Mapping[str, Iterable[str]]) -> tuple[Package, ...]:
    """Packages with ``via`` set on transitive ones: up to ``VIA_LIMIT`` direct dependencies that reach
    them in ``graph`` (normalised name -> names it depends on). Each (package, direct dependency)
    pair is visited once and a package takes at most ``VIA_LIMIT`` of them: O(edges), not O(direct x edges)."""
    packages = tuple(packages)
    reached: dict[str, list[str]] = {}
    queue = deque((top, top) for top in sorted({p.key[1] for p in packages if p.direct}))
    while queue:
        node, top = queue.popleft()
        for child in graph.get(node, ()):
            labels = reached.setdefault(child, [])
            if top not in labels and len(labels) < VIA_LIMIT:
                labels.append(top)
                queue.append((child, top))
    return tuple(replace(p, via=tuple(sorted(reached.get(p.key[1], ())))) if p.direct is False else p
                 for p in packages)


def parser_for(path: str) -> Parser | None:
    """The reader for a file of this path, or None when the deps scanner does not read it."""
    from opskit.audit.deps.manifests import bun, installed, npm, pipfile, pnpm, pyproject, requirements, yarn

    name = path.rsplit("/", 1)[-1]
    by_name: dict[str, Parser] = {
        "pyproject.toml": pyproject.parse_pyproject,
        "poetry.lock": pyproject.parse_toml_lock,
        "uv.lock": pyproject.parse_toml_lock,
        "pdm.lock": pyproject.parse_toml_lock,
        "Pipfile.lock": pipfile.parse_pipfile_lock,
        "package-lock.json": npm.parse_package_lock,
        "npm-shrinkwrap.json": npm.parse_package_lock,
        "yarn.lock": yarn.parse_yarn_lock,
        "pnpm-lock.yaml": pnpm.parse_pnpm_lock,
        "bun.lock": bun.parse_bun_lock,
    }
    if _NODE_MODULE.search(path):
        return installed.parse_node_module
    if _DIST_INFO.search(path):
        return installed.parse_dist_info
    if _INSIDE_INSTALLED.search(path):
        return None  # a manifest shipped inside an installed package describes that package's own build
    if name in by_name:
        return by_name[name]
    if pyproject.PYLOCK.match(name):
        return pyproject.parse_toml_lock
    if name == "package.json":
        return npm.parse_package_json
    tail = "/".join(path.rsplit("/", 2)[-2:])
    if _REQUIREMENTS.match(name) or _REQUIREMENTS.match(tail):
        return requirements.parse_requirements
    return None
