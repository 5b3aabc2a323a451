"""Installed packages, as found in image layers: ``*.dist-info/METADATA`` and ``node_modules/*/package.json``."""

from __future__ import annotations

from opskit.audit.deps.interface import Ecosystem, Package, ParsedManifest
from opskit.audit.deps.manifests import Siblings, load_json
from opskit.audit.deps.manifests.jsonlines import key_lines


def parse_dist_info(text: str, path: str, siblings: Siblings) -> ParsedManifest:
    """Core metadata headers (RFC 822 style): ``Name:`` and ``Version:``, before the first blank line."""
    name = version = None
    line = None
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            break
        key, _, value = raw.partition(":")
        if key == "Name":
            name = value.strip()
        elif key == "Version":
            version, line = value.strip(), number
    if not name or not version:
        return ParsedManifest(notes=(f"{path}: no Name/Version in package metadata",))
    return ParsedManifest((Package(Ecosystem.PYPI, name, version, line, None),))


def parse_node_module(text: str, path: str, siblings: Siblings) -> ParsedManifest:
    doc, error = load_json(text, path)
    if doc is None:
        return ParsedManifest(notes=(error or "",))
    if not isinstance(doc.get("name"), str) or not isinstance(doc.get("version"), str):
        return ParsedManifest()  # a nested helper package.json ({"type": "module"}) names no package
    return ParsedManifest((Package(Ecosystem.NPM, doc["name"], doc["version"], key_lines(text).get(("version",)),
                                   None),))
