"""``Pipfile.lock`` (pipenv): pinned ``default`` and ``develop`` packages; direct ones are in the Pipfile."""

from __future__ import annotations

from packaging.utils import canonicalize_name

from opskit.audit.deps.interface import Ecosystem, Package, ParsedManifest
from opskit.audit.deps.manifests import Siblings, load_json, load_toml
from opskit.audit.deps.manifests.jsonlines import key_lines


def _pipfile_ranges(text: str | None) -> dict[str, str] | None:
    """Canonical name -> PEP 440 range ("" for ``*``) of the Pipfile's packages."""
    doc = load_toml(text, "Pipfile")[0] if text is not None else None
    if doc is None:
        return None
    ranges: dict[str, str] = {}
    for section in ("packages", "dev-packages"):
        for name, spec in (doc.get(section) or {}).items():
            spec = spec.get("version", "") if isinstance(spec, dict) else spec
            ranges[canonicalize_name(name)] = "" if str(spec).strip() == "*" else str(spec)
    return ranges


def parse_pipfile_lock(text: str, path: str, siblings: Siblings) -> ParsedManifest:
    doc, error = load_json(text, path)
    if doc is None:
        return ParsedManifest(notes=(error or "",))
    direct = _pipfile_ranges(siblings("Pipfile"))
    lines = key_lines(text)
    packages = []
    for section in ("default", "develop"):
        for name, entry in sorted((doc.get(section) or {}).items()):
            version = str(entry.get("version", "")) if isinstance(entry, dict) else ""
            if not version.startswith("=="):
                continue  # a VCS or path dependency has no version to check
            key = canonicalize_name(name)
            declared = (direct or {}).get(key) or None
            packages.append(Package(Ecosystem.PYPI, name, version.lstrip("="), lines.get((section, name)),
                                    None if direct is None else key in direct, declared=declared,
                                    version_line=lines.get((section, name, "version"))))
    return ParsedManifest(tuple(packages))
