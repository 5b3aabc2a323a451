"""Registry metadata for outdated, yanked and deprecated findings: PyPI's JSON API and npm documents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import requests

from opskit.audit.deps.interface import Ecosystem, Package, RegistryClient, ReleaseInfo
from opskit.audit.deps.osv.http import NotFound, fetch_json

WORKERS = 8  # concurrent registry requests
DEFAULT_REGISTRIES = {Ecosystem.PYPI: "https://pypi.org", Ecosystem.NPM: "https://registry.npmjs.org"}


def _pypi_release(doc: Mapping[str, Any], version: str) -> ReleaseInfo:
    files = (doc.get("releases") or {}).get(version) or []
    yanked = None
    if files and all(f.get("yanked") for f in files):
        yanked = next((str(f.get("yanked_reason") or "") for f in files if f.get("yanked_reason")), "")
    return ReleaseInfo(latest=(doc.get("info") or {}).get("version"), yanked=yanked)


def _npm_release(doc: Mapping[str, Any], version: str) -> ReleaseInfo:
    entry = (doc.get("versions") or {}).get(version) or {}
    deprecated = entry.get("deprecated")
    return ReleaseInfo(latest=(doc.get("dist-tags") or {}).get("latest"),
                       deprecated=str(deprecated) if isinstance(deprecated, str) and deprecated else None)


class HttpRegistry(RegistryClient):
    """One document per package name, fetched once per run."""

    def __init__(self, urls: Mapping[Ecosystem, str], timeout: float = 10.0, retries: int = 1) -> None:
        self.urls = {**DEFAULT_REGISTRIES, **urls}
        self.timeout = timeout
        self.retries = retries
        self.session = requests.Session()
        self._docs: dict[tuple[Ecosystem, str], Any] = {}

    def _document(self, package: Package) -> Any:
        key = package.key
        if key not in self._docs:
            base = self.urls[package.ecosystem].rstrip("/")
            if package.ecosystem is Ecosystem.PYPI:
                url = f"{base}/pypi/{quote(key[1])}/json"
            else:
                url = f"{base}/{quote(package.name, safe='@')}"
            try:
                self._docs[key] = fetch_json(self.session, "GET", url, what=f"{package.ecosystem} registry",
                                             timeout=self.timeout, retries=self.retries)
            except NotFound:
                self._docs[key] = None
        return self._docs[key]

    def releases(self, packages: Sequence[Package]) -> Mapping[Package, ReleaseInfo | None]:
        """One request per package name, ``WORKERS`` at a time."""
        unique = sorted(set(packages), key=lambda p: (p.key, p.version))
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            return dict(zip(unique, pool.map(self._release, unique), strict=True))

    def _release(self, package: Package) -> ReleaseInfo | None:
        doc = self._document(package)
        if not isinstance(doc, dict):
            return None
        return _pypi_release(doc, package.version) if package.ecosystem is Ecosystem.PYPI else _npm_release(
            doc, package.version)
